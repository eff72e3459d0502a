'use client';
import { usePathname, useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from '@/lib/client/api.ts';
import type { User } from '@/lib/types.ts';

type Status = 'loading' | 'authenticated' | 'anonymous';

interface SessionValue {
  status: Status;
  user: User | null;
  expired: boolean;
}

const SessionContext = createContext<SessionValue>({
  status: 'loading',
  user: null,
  expired: false,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [value, setValue] = useState<SessionValue>({
    status: 'loading',
    user: null,
    expired: false,
  });

  useEffect(() => {
    const off = api.subscribe((user, reason) =>
      setValue({
        status: user ? 'authenticated' : 'anonymous',
        user,
        expired: reason === 'expired',
      }),
    );
    // Start-up: a valid refresh cookie restores the session without a sign-in.
    if (api.user) setValue({ status: 'authenticated', user: api.user, expired: false });
    else
      api.refresh().catch(() => {
        if (!api.user) setValue({ status: 'anonymous', user: null, expired: false });
      });
    return () => {
      off();
    };
  }, []);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  return useContext(SessionContext);
}

/** Renders children only for a signed-in user; otherwise sends them to sign-in and back. */
export function RequireAuth({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const { status, expired } = useSession();
  const router = useRouter();
  const pathname = usePathname();
  useEffect(() => {
    if (status === 'anonymous') {
      const next = pathname + window.location.search;
      const params = new URLSearchParams({ next });
      if (expired) params.set('expired', '1');
      router.replace(`/sign-in?${params.toString()}`);
    }
  }, [status, expired, pathname, router]);
  return status === 'authenticated' ? children : fallback;
}
