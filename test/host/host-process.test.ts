import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startHostProcess } from './process/host-process.js';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('local function host as its own process', () => {
  it('runs the app with the app settings as its environment, reports its memory, and stops cleanly', async () => {
    const lines: string[] = [];
    const host = await startHostProcess({
      appSettings: {
        ECHO_SETTING: 'from app settings',
        languageWorkers__node__arguments: '--max-old-space-size=256',
      },
      entryPattern: 'test/host/fixtures/settings-echo.ts',
      port: 0,
      onOutput: (line) => void lines.push(line),
    });
    try {
      expect(host.functions).toEqual([
        {
          name: 'settingsEcho',
          trigger: 'http',
          description: `[GET] ${host.url}/api/settings/{name} (authLevel function)`,
        },
      ]);
      const response = await fetch(`${host.url}/api/settings/ECHO_SETTING`, {
        headers: { 'x-functions-key': host.keys.functionKey },
      });
      expect(await response.json()).toEqual({
        name: 'ECHO_SETTING',
        value: 'from app settings',
        nodeOptions: ['--max-old-space-size=256'],
      });
      expect(host.peakMemoryInBytes()).toBeGreaterThan(10 * 1024 * 1024);
      expect(host.pid).not.toBe(process.pid);
    } finally {
      await host.stop();
    }
    expect(await host.exited).toBe(0);
    expect(await portIsOpen(Number(new URL(host.url).port))).toBe(false);
    expect(lines.some((line) => line.includes('Stopping the host.'))).toBe(true);
  });

  it('refuses languageWorkers__node__arguments that are not node options', async () => {
    await expect(
      startHostProcess({
        appSettings: { languageWorkers__node__arguments: '--inspect script.js' },
        entryPattern: 'test/host/fixtures/settings-echo.ts',
        port: 0,
        onOutput: () => {},
      }),
    ).rejects.toThrow(
      "languageWorkers__node__arguments must hold node options only (such as --max-old-space-size=512), got 'script.js'.",
    );
  });

  it('fails to start with the host’s reason when a definition cannot be served', async () => {
    await expect(
      startHostProcess({
        appSettings: {},
        entryPattern: 'test/host/fixtures/unresolved-schedule.ts',
        port: 0,
        onOutput: () => {},
      }),
    ).rejects.toThrow(
      "Function 'nightly', schedule: '%FIXTURE_SCHEDULE_NOT_SET%' does not resolve to a value; set the app setting FIXTURE_SCHEDULE_NOT_SET.",
    );
  });
});
