'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Icon } from '../icons.tsx';
import { useSession } from '../session.tsx';

/** The shell's "People" entry: instance admins only. */
export function PeopleNavLink({ onNavigate }: { onNavigate: () => void }) {
  const pathname = usePathname();
  const { user } = useSession();
  if (user?.role !== 'admin') return null;
  const active = pathname === '/people' || pathname.startsWith('/people/');
  return (
    <Link href="/people" className={active ? 'nav-item active' : 'nav-item'} onClick={onNavigate}>
      <Icon name="users" />
      <span>People</span>
    </Link>
  );
}
