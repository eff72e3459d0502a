// Collects Content-Security-Policy violations from every page of every context a test opens, so
// each e2e suite fails when the policy blocks something the app does (startStack wires it in).
// Two signals: the page's `securitypolicyviolation` events (logged by an init script that runs
// before the app's own) and Chromium's "Refused to … Content Security Policy" console messages.
import type { Browser, BrowserContext } from 'playwright-core';

const MARK = '[csp-violation]';

async function watchContext(ctx: BrowserContext, violations: string[]): Promise<void> {
  await ctx.addInitScript((mark: string) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(
        `${mark} ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile}:${e.lineNumber} ${e.sample}`,
      );
    });
  }, MARK);
  ctx.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith(MARK) || /Content Security Policy/i.test(text)) {
      violations.push(`${msg.location().url}: ${text}`);
    }
  });
}

/**
 * Makes `browser.newContext()` (and `browser.newPage()`) watch for violations, appending them to
 * `violations`. Patching the instance keeps every existing test covered without changes.
 */
export function watchCsp(browser: Browser, violations: string[]): void {
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const ctx = await newContext(options);
    await watchContext(ctx, violations);
    return ctx;
  };
  browser.newPage = async (options) => {
    const ctx = await browser.newContext(options);
    const page = await ctx.newPage();
    // browser.newPage() owns its context: it goes when the page does.
    page.once('close', () => void ctx.close().catch(() => undefined));
    return page;
  };
}
