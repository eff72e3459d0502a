'use client';
import ReactMarkdown, { defaultUrlTransform } from 'react-markdown';
import remarkGfm from 'remark-gfm';

/**
 * Safe markdown: raw HTML in the source is not rendered (react-markdown builds React elements
 * from the syntax tree, never innerHTML), and URLs outside http(s)/mailto/relative are dropped.
 */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        urlTransform={(url) => {
          const safe = defaultUrlTransform(url);
          return /^(https?:|mailto:|\/|#|\.)/i.test(safe) || !/^[a-z][a-z0-9+.-]*:/i.test(safe)
            ? safe
            : '';
        }}
        components={{
          a: ({ node: _node, ...props }) => (
            <a {...props} target="_blank" rel="noopener noreferrer nofollow" />
          ),
          img: ({ node: _node, alt }) => <span className="muted">[image: {alt}]</span>,
        }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
