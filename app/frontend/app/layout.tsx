import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { SessionProvider } from '@/components/session.tsx';
import { ToastProvider } from '@/components/toast.tsx';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'PMS', template: '%s · PMS' },
  description: 'Projects, boards and tasks for your team.',
};

export const viewport: Viewport = {
  width: 'device-width',
  initialScale: 1,
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#121317' },
  ],
};

// Applies the saved theme before first paint (no flash). Static string: no user data.
const themeScript = `try{var t=localStorage.getItem('pms-theme');if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}`;

// Reading the request's nonce (set by proxy.ts) makes every page render per request, which a
// nonce needs: a page built ahead of time would carry no nonce, or the same one for everybody.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>
        <SessionProvider>
          <ToastProvider>{children}</ToastProvider>
        </SessionProvider>
      </body>
    </html>
  );
}
