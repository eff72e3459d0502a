import type { Metadata } from 'next';
import { AcceptInvite } from '@/components/people/accept-invite.tsx';

// The token is in the URL: never send it on to other sites in a Referer header.
export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };

export default async function Page({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <AcceptInvite token={decodeURIComponent(token)} />;
}
