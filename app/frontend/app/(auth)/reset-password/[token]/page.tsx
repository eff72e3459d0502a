import type { Metadata } from 'next';
import { ResetPassword } from '@/components/people/reset-password.tsx';

// The token is in the URL: never send it on to other sites in a Referer header.
export const metadata: Metadata = { title: 'Reset password', referrer: 'no-referrer' };

export default async function Page({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <ResetPassword token={decodeURIComponent(token)} />;
}
