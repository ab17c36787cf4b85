import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CONSOLE = fileURLToPath(new URL('../../services/console/', import.meta.url));
const BUILT = join(CONSOLE, 'dist', 'index.html');
const LOCK = join(CONSOLE, 'dist.build-lock');

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  if (!existsSync(BUILT)) return false;
  const sources = Math.max(newestSource(join(CONSOLE, 'web')), statSync(join(CONSOLE, 'vite.config.ts')).mtimeMs);
  return statSync(BUILT).mtimeMs >= sources;
}

/**
 * The e2e tests drive the built page (`npm ci` builds it); rebuild it when the source is newer, once,
 * even with several test files starting at the same time (a mkdir lock).
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (isFresh()) return;
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (waited > 120_000) throw new Error(`console build lock ${LOCK} held for 2 minutes; remove it if stale`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (isFresh()) return;
    const vite = join(CONSOLE, '../../node_modules/vite/bin/vite.js');
    const run = spawnSync(process.execPath, [vite, 'build', '--config', join(CONSOLE, 'vite.config.ts'), '--logLevel', 'warn'], {
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`console build failed:\n${run.stdout}\n${run.stderr}`);
  } finally {
    rmdirSync(LOCK);
  }
}

/** Debian's Chromium; playwright-core never downloads a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  await ensureConsoleBuilt();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface ConsolePage {
  page: Page;
  /** Uncaught page errors and console errors (a CSP violation shows up here). */
  errors: string[];
  /** URLs of every feed socket the page opened, in order. */
  sockets: string[];
}

/**
 * Opens the console at 1280x800 (the size it is made readable at) and waits for the live feed. The
 * browser asks for English unless `locale` says otherwise (`ja-JP`: the console starts in Japanese).
 */
export async function openConsole(
  browser: Browser,
  url: string,
  opts: { waitLive?: boolean; locale?: string; viewport?: { width: number; height: number }; sound?: boolean } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 }, locale: opts.locale ?? 'en-US' });
  // The operator id was chosen once already: no first-visit prompt in the way.
  await context.addInitScript((sound: boolean) => {
    if (!localStorage.getItem('anshin.console.settings')) {
      localStorage.setItem('anshin.console.settings', JSON.stringify({ operatorId: 'operator-e2e', answerTargetS: 10, sound }));
    }
  }, opts.sound ?? false);
  const page = await context.newPage();
  const errors: string[] = [];
  const sockets: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(url);
  if (opts.waitLive !== false) await page.locator('[data-conn="live"]').waitFor({ timeout: 5000 });
  return { page, errors, sockets };
}

/** Queue rows, top to bottom (real calls, then test calls), in any language. */
export function queueRows(page: Page) {
  return page.locator('#queue-list li[data-case-id]');
}

export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
}
