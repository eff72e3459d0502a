import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Board } from '@/components/board/board.tsx';

export const metadata: Metadata = { title: 'Board' };

export default function BoardPage() {
  return (
    <Suspense>
      <Board />
    </Suspense>
  );
}
