import type { Metadata } from 'next';
import { ForgotPassword } from '@/components/people/forgot-password.tsx';

export const metadata: Metadata = { title: 'Forgot password' };

export default function Page() {
  return <ForgotPassword />;
}
