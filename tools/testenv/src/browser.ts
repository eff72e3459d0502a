import type { LaunchOptions } from 'playwright-core';

/**
 * How every browser test launches Debian's Chromium. The network flags matter: this machine's
 * network is closed and Chromium's background connections would otherwise be refused in bursts.
 */
export function launchOptions(executablePath: string): LaunchOptions {
  return {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  };
}
