import { ConfigError } from './config.js';
import { ManifestError } from './manifest.js';
import { startServer } from './start-server.js';

/** The only place that reads the environment; startServer (shared with the tests) builds and listens. */
try {
  const keycard = await startServer(process.env);
  const stop = () => {
    void keycard.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error: unknown) {
  // Anything but a configuration or manifest problem was already logged as fatal by startServer.
  if (error instanceof ConfigError || error instanceof ManifestError) process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
