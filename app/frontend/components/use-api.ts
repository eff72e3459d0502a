'use client';
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type Dispatch,
  type SetStateAction,
} from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: Dispatch<SetStateAction<T | undefined>>;
}

/**
 * Loads data with `fetcher` whenever `key` changes (null = don't load). Keeps the previous data
 * while reloading so screens don't flash, and ignores answers that arrive out of order.
 *
 * `setData` is for local changes (an upload finished, a comment posted). A load still in flight
 * when one is made was answered from the server's state before the change, and its answer would
 * replace the change (an attachment uploaded while the list was loading vanished): the change
 * starts a fresh load, which supersedes the stale one.
 */
export function useResource<T>(
  key: string | null,
  fetcher: (signal: AbortSignal) => Promise<T>,
): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(key !== null);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const seq = useRef(0);
  const inFlight = useRef(false);

  const load = useCallback(async () => {
    if (key === null) return;
    const mine = ++seq.current;
    const ctrl = new AbortController();
    setLoading(true);
    inFlight.current = true;
    try {
      const result = await fetcherRef.current(ctrl.signal);
      if (mine === seq.current) {
        setData(result);
        setError(null);
      }
    } catch (err) {
      if (mine === seq.current && (err as Error).name !== 'AbortError') setError(err);
    } finally {
      if (mine === seq.current) {
        setLoading(false);
        inFlight.current = false;
      }
    }
  }, [key]);

  const change = useCallback<Dispatch<SetStateAction<T | undefined>>>(
    (action) => {
      setData(action);
      if (inFlight.current) void load();
    },
    [load],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return { data, error, loading, reload: load, setData: change };
}
