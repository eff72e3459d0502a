import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SearchPage } from '@/components/search/search-page.tsx';

export const metadata: Metadata = { title: 'Search' };

export default function Page() {
  return (
    <Suspense>
      <SearchPage />
    </Suspense>
  );
}
