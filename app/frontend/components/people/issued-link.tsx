'use client';
import { formatDate } from '@/lib/format.ts';
import { useToast } from '../toast.tsx';
import { Button } from '../ui.tsx';

/**
 * The outcome of sending a one-time link: "e-mailed to …", or (no SMTP on this instance) the
 * link itself with a Copy button, for the admin to pass on.
 */
export function IssuedLink({
  what,
  email,
  emailed,
  url,
  expiresAt,
  onDone,
}: {
  what: 'invitation' | 'reset';
  email: string;
  emailed: boolean;
  url?: string | undefined;
  expiresAt: string;
  onDone: () => void;
}) {
  const toast = useToast();
  const noun = what === 'invitation' ? 'Invitation' : 'Password-reset link';
  return (
    <div className="notice notice-success" role="status" data-testid="issued-link">
      {emailed || !url ? (
        <p className="strong">
          {noun} e-mailed to {email}. It expires {formatDate(expiresAt)}.
        </p>
      ) : (
        <>
          <p className="strong">
            E-mail is not set up on this instance: copy this link and send it to {email} yourself.
          </p>
          <p className="small">
            It works once and expires {formatDate(expiresAt)}. It is not shown again (you can create
            a new one).
          </p>
          <div className="row">
            <input
              className="input input-mono grow"
              readOnly
              aria-label={`${noun} for ${email}`}
              data-testid="issued-url"
              value={url}
              onFocus={(e) => e.target.select()}
            />
            <Button
              size="sm"
              variant="primary"
              onClick={() => {
                void navigator.clipboard
                  ?.writeText(url)
                  .then(() => toast('success', 'Link copied'))
                  .catch(() => toast('error', 'Copy failed: select the link and copy it'));
              }}
            >
              Copy link
            </Button>
          </div>
        </>
      )}
      <div>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
