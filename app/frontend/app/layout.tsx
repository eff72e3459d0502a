import type { Metadata, Viewport } from 'next';
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

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: themeScript }} />
      </head>
      <body>
        <SessionProvider>
          <ToastProvider>{children}</ToastProvider>
        </SessionProvider>
      </body>
    </html>
  );
}
