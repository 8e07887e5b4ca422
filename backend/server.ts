// startBackend: builds the store, services and HTTP app, and serves them on a loopback port until stop().
import { writeFileSync, mkdirSync, existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { pino, type Logger, type DestinationStream } from "pino";
import { openStore, type Store, type StoreOptions } from "./store/index.ts";
import { SettableClock, systemClock, type Clock } from "./clock.ts";
import { createApp, type App } from "./http/app.ts";
import { healthRoute } from "./http/health.ts";
import { RateLimiter, type RateLimitOptions } from "./http/rate-limit.ts";
import { Faults } from "./http/faults.ts";
import {
  enabledHooks,
  refuseNonLoopback,
  testHookRoutes,
  testHookToken,
  type TestHookOptions,
} from "./http/test-hooks.ts";
import { findPrincipal, insertAccount, type Principal } from "./accounts/store.ts";
import { accountRoutes } from "./accounts/routes.ts";
import { catalogueRoutes } from "./catalogue/routes.ts";
import { TERMS_VERSION } from "./catalogue/service.ts";
import { OrderService } from "./orders/service.ts";
import { orderRoutes } from "./orders/routes.ts";
import { SubscriptionService } from "./subscriptions/service.ts";
import { subscriptionRoutes } from "./subscriptions/routes.ts";
import { ChangeSetService } from "./change-sets/service.ts";
import { RevisionNotifier } from "./change-sets/notifier.ts";
import { changeSetRoutes } from "./change-sets/routes.ts";
import { DeviceService } from "./devices/service.ts";
import { deviceRoutes } from "./devices/routes.ts";
import { UserService } from "./users/service.ts";
import { userRoutes } from "./users/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import { batchRoutes } from "./batch/routes.ts";
import { planCheckRoutes } from "./plan-checks/routes.ts";
import { serveOpenApiDocument } from "./http/openapi-document.ts";
import type { Registrar } from "./devices/view.ts";
import { MemoryCache, NoCache } from "./configuration/cache.ts";
import { PostCommit } from "./configuration/post-commit.ts";
import { revisionSnapshot, type RevisionSnapshot } from "./configuration/snapshot.ts";
import { RegistrarPublisher } from "./outbox/publisher.ts";
import {
  attachBackendRegistrar,
  startBackendRegistrar,
  type BackendRegistrar,
  type RegistrarAttachOptions,
  type RegistrarProcessOptions,
} from "./outbox/registrar.ts";
import type { RunningRegistrar } from "../registrar/index.ts";
import { MailDeliverer, type MailRetryPolicy } from "./mail/deliverer.ts";
import { smtpRelay } from "./mail/relay.ts";
import { describeRelay, type SmtpSettings } from "./mail/settings.ts";
import { countWaiting } from "./mail/store.ts";
import type { RunningRelay } from "../registrar/relay/index.ts";
import { startBackendRelay } from "./recordings/relay.ts";
import { RecordingWorker } from "./recordings/worker.ts";
import { recordingFolders } from "./recordings/folders.ts";
import { recordingEventSource } from "./recordings/not-recorded.ts";

export interface BackendOptions {
  store: StoreOptions;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Start the clock frozen-offset at this instant (tests only); `testHooks.clock` lets tests move it. */
  clockStart?: Date;
  /**
   * Test hooks, each off unless named: /__test/clock, /__test/faults, /__test/publisher. Every call needs the
   * hooks' token (`Backend.testHooksToken`, or `tokenFile`); a non-loopback host is refused while any is on.
   */
  testHooks?: TestHookOptions;
  /** null turns rate limiting off. Default: 100 requests/s per token, burst 500. */
  rateLimit?: RateLimitOptions | null;
  /**
   * Requests whose token is missing or refused, per client address. null turns it off. Default: 10/s, burst
   * 50. A valid token is never held back by it, whoever else shares its address.
   */
  unauthenticatedRateLimit?: RateLimitOptions | null;
  /** A proxy in front sets X-Forwarded-For: the client address is its last entry, not the socket's. */
  trustProxy?: boolean;
  /**
   * `{ dataDir, port?, trunk?, accountId?, database? }`: start and supervise Kamailio on loopback and publish each
   * applied revision to it through the outbox (backend/outbox/); devices then name it as their registrar. A bare
   * `{ host, port, transport }` only sets the address devices show (default: a placeholder, nothing published).
   * `{ attach: { host, port, database, ctlSocket }, accountId }` publishes to a registrar started elsewhere.
   */
  registrar?: RegistrarProcessOptions | RegistrarAttachOptions | Registrar;
  /**
   * The SMTP relay the mail outbox (backend/mail/) delivers through; `smtpSettingsFrom` reads it from options and
   * the environment. Without it mails wait in the outbox and the server says so once at start.
   */
  mail?: { smtp: SmtpSettings; retry?: Partial<MailRetryPolicy>; sweepMs?: number };
  /**
   * Call recording, with `registrar: { dataDir }`: rtpengine is started beside Kamailio (when installed; else the
   * registrar runs without recording and the server says so once), and a worker mails each recorded call and
   * each call that could not be recorded (docs/recording.md). `relayRtpPorts` default 30000–40000;
   * `retentionDays` 0 (default) removes a recording once its mail is delivered, N keeps it N days;
   * `maxAttachmentBytes` (default 20 MB) splits longer recordings into parts, one mail each.
   */
  recording?: {
    relayRtpPorts?: { min: number; max: number };
    relayNgPort?: number;
    relayBinary?: string;
    retentionDays?: number;
    maxAttachmentBytes?: number;
    sweepMs?: number;
  };
  /** SIP digest realm HA1 is computed with (default "pbx-estate", the registrar's default realm). */
  realm?: string;
  /** Where JSON logs go (default stdout); level default info. */
  logDestination?: DestinationStream;
  logLevel?: string;
  /** Create a demo account on first start and write its token to this file (mode 0600). */
  demoTokenFile?: string;
  /**
   * The service terms version the catalogue names, which every order and cancellation must accept
   * (default TERMS_VERSION). New terms are published by starting the backend with their version.
   */
  termsVersion?: string;
}

export interface Backend {
  url: string;
  port: number;
  store: Store;
  clock: Clock & { set?(at: Date): void };
  app: App;
  notifier: RevisionNotifier;
  /** The supervised Kamailio when started with `registrar: { dataDir }`, else null. */
  registrar: RunningRegistrar | null;
  /** The media relay (rtpengine) started beside the registrar; null without one or when it is not installed. */
  relay: RunningRelay | null;
  /** Mails recorded calls and calls not recorded; null without a registrar started or attached here. */
  recordings: RecordingWorker | null;
  /** Delivers the registrar outbox; null without a registrar (rows then wait until one is configured). */
  publisher: RegistrarPublisher | null;
  /**
   * Delivers the mail outbox; null when no SMTP relay is configured (mails then wait). After enqueueing a mail
   * (`enqueueMail` in backend/mail/enqueue.ts) and committing, `mail?.kick()` sends it without waiting for a sweep.
   */
  mail: MailDeliverer | null;
  /** Fault injection, present only with `testHooks.faults`. */
  faults: Faults | null;
  /** The token /__test calls send in the `pbx-test-token` header; null without test hooks. */
  testHooksToken: string | null;
  /** The OpenAPI 3.1 document this server serves at /openapi.json. */
  openapi: Record<string, unknown>;
  /**
   * The applied configuration of an account in the registrar's snapshot shape. Pair it with
   * `notifier.events.on("revision", …)`, which fires after each applied revision's commit.
   */
  revisionSnapshot(accountId: string): Promise<RevisionSnapshot>;
  /** Creates an account and returns its token (tests and the admin command). */
  createAccount(input: {
    name: string;
    timeZone: string;
    numbers: string[];
  }): Promise<{ accountId: string; token: string }>;
  /** Stops accepting, finishes in-flight requests, closes the store. */
  stop(): Promise<void>;
}

export function createLogger(destination?: DestinationStream, level = "info"): Logger {
  return pino(
    {
      level,
      base: { service: "pbx-backend" },
      redact: {
        paths: [
          "req.headers.authorization",
          "headers.authorization",
          "authorization",
          "token",
          "*.token",
          "password",
          "*.password",
          "sipPassword",
          "*.sipPassword",
          "ha1",
          "*.ha1",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

export const defaultRegistrar: Registrar = { host: "sip.pbx-estate.test", port: 5061, transport: "tls" };

export async function startBackend(options: BackendOptions): Promise<Backend> {
  const hooks = enabledHooks(options.testHooks);
  refuseNonLoopback(options.host ?? "127.0.0.1", hooks);
  const log = createLogger(options.logDestination, options.logLevel);
  const store = await openStore(options.store);
  const clock = options.clockStart ? new SettableClock(options.clockStart) : systemClock;
  const db = store.db;
  const realm = options.realm ?? "pbx-estate";
  let sip: BackendRegistrar | null = null;
  let relay: RunningRelay | null = null;
  const sipOptions = options.registrar;
  const recording = options.recording ?? {};
  // The worker is made after the relay; a relay that dies before then has lost nothing the start's sweep misses.
  let onRelayRestart = (): void => undefined;
  const relayStartedAt = new Date();
  if (sipOptions !== undefined && ("dataDir" in sipOptions || "attach" in sipOptions)) {
    try {
      if ("dataDir" in sipOptions)
        relay = await startBackendRelay(
          {
            registrarDataDir: sipOptions.dataDir,
            ...(recording.relayRtpPorts !== undefined ? { rtpPorts: recording.relayRtpPorts } : {}),
            ...(recording.relayNgPort !== undefined ? { ngPort: recording.relayNgPort } : {}),
            ...(recording.relayBinary !== undefined ? { binary: recording.relayBinary } : {}),
            onRestart: () => onRelayRestart(),
          },
          log,
        );
      sip =
        "attach" in sipOptions
          ? await attachBackendRegistrar(sipOptions, { realm, log })
          : await startBackendRegistrar(sipOptions, {
              realm,
              log,
              relay: relay && { host: relay.host, ngPort: relay.ngPort },
            });
    } catch (e) {
      await relay?.stop();
      await store.close();
      throw e;
    }
  }
  const registrar: Registrar =
    sip !== null ? sip.address : sipOptions !== undefined && "transport" in sipOptions ? sipOptions : defaultRegistrar;
  const notifier = new RevisionNotifier(log);
  // The embedded store has one process (its data-dir lock), so that process may cache live state.
  const cache = store.kind === "embedded" ? new MemoryCache() : new NoCache();
  const postCommit = new PostCommit(cache, notifier);
  const changes = new ChangeSetService({ db, clock, cache, postCommit });
  const faults = hooks.includes("faults") ? new Faults() : null;
  const rateLimit = options.rateLimit === undefined ? { perSecond: 100, burst: 500 } : options.rateLimit;
  const unauthenticatedRateLimit =
    options.unauthenticatedRateLimit === undefined ? { perSecond: 10, burst: 50 } : options.unauthenticatedRateLimit;

  const publisher =
    sip === null
      ? null
      : new RegistrarPublisher({
          db,
          log,
          registrar: { store: sip.store, ctlSocket: sip.ctlSocket },
          snapshot: (accountId) => revisionSnapshot(db, accountId),
          serves: (accountId) => sip.serves(accountId),
        });
  // After each apply's commit; the outbox row committed with it, so a crash before this loses nothing.
  if (publisher) notifier.events.on("revision", (e: { accountId: string }) => publisher.kick(e.accountId));

  const mail =
    options.mail === undefined
      ? null
      : new MailDeliverer({
          db,
          log,
          clock,
          relay: smtpRelay(options.mail.smtp),
          ...(options.mail.retry ? { retry: options.mail.retry } : {}),
          ...(options.mail.sweepMs !== undefined ? { sweepMs: options.mail.sweepMs } : {}),
          exclusiveStore: store.kind === "embedded",
        });

  const recordingEvents = sip === null ? null : recordingEventSource(sip.store);
  const recordings =
    sip === null || (relay === null && recordingEvents === null)
      ? null
      : new RecordingWorker({
          db,
          log,
          clock,
          folders:
            relay !== null && sipOptions !== undefined && "dataDir" in sipOptions
              ? recordingFolders(sipOptions.dataDir)
              : null,
          events: recordingEvents,
          calls: sip === null ? null : sip.store,
          relayStartedAt,
          onEnqueued: () => mail?.kick(),
          fallbackAccountId: () => sip.servedAccount(),
          ...(recording.retentionDays !== undefined ? { retentionDays: recording.retentionDays } : {}),
          ...(recording.maxAttachmentBytes !== undefined ? { maxAttachmentBytes: recording.maxAttachmentBytes } : {}),
          ...(recording.sweepMs !== undefined ? { sweepMs: recording.sweepMs } : {}),
        });

  if (recordings !== null) onRelayRestart = () => recordings.relayRestarted();

  const principals = new Map<string, Principal>();
  const app = createApp({
    log,
    rateLimiter: rateLimit ? new RateLimiter(rateLimit) : null,
    unauthenticatedLimiter: unauthenticatedRateLimit
      ? new RateLimiter(unauthenticatedRateLimit, "requests without a valid token from this address")
      : null,
    trustProxy: options.trustProxy ?? false,
    faults,
    authenticate: async (token) => {
      // Tokens are never revoked in this version, so a found principal may be cached by its token.
      const cached = principals.get(token);
      if (cached) return cached;
      const p = await findPrincipal(db, token);
      if (p) principals.set(token, p);
      return p;
    },
  });

  healthRoute(app, store);
  accountRoutes(app);
  const termsVersion = options.termsVersion ?? TERMS_VERSION;
  catalogueRoutes(app, termsVersion);
  orderRoutes(app, new OrderService({ db, clock, cache, postCommit, termsVersion }));
  subscriptionRoutes(app, new SubscriptionService({ db, clock, cache, postCommit, termsVersion }));
  changeSetRoutes(app, changes, registrar);
  deviceRoutes(app, new DeviceService({ changes, registrar, realm }));
  userRoutes(app, new UserService({ changes }));
  planCheckRoutes(app, changes);
  auditRoutes(app, db);
  batchRoutes(app);
  const document = serveOpenApiDocument(app);

  const testHooksToken = hooks.length > 0 && options.testHooks ? testHookToken(options.testHooks) : null;
  if (testHooksToken !== null) testHookRoutes(app, hooks, testHooksToken, { clock, faults, publisher });

  const createAccount = async (input: {
    name: string;
    timeZone: string;
    numbers: string[];
  }): Promise<{ accountId: string; token: string }> => {
    const r = await insertAccount(db, input, clock.now());
    return { accountId: r.account.id, token: r.token };
  };

  if (options.demoTokenFile !== undefined && !existsSync(options.demoTokenFile)) {
    const { token } = await createAccount({
      name: "Demo account",
      timeZone: "Europe/London",
      numbers: ["+442079460000", "+442079460001"],
    });
    mkdirSync(dirname(options.demoTokenFile), { recursive: true });
    writeFileSync(options.demoTokenFile, `${token}\n`, { mode: 0o600 });
  } else if (options.demoTokenFile !== undefined) {
    readFileSync(options.demoTokenFile, "utf8"); // exists: the demo account was made on an earlier start
  }

  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: options.host ?? "127.0.0.1" }, () =>
      resolve(s as Server),
    );
  });
  const port = (server.address() as AddressInfo).port;
  publisher?.start();
  await recordings?.start();
  if (mail !== null && options.mail !== undefined) {
    mail.start();
    log.info(
      { event: "mail.configured", relay: describeRelay(options.mail.smtp) },
      "mail goes through this SMTP relay",
    );
  } else {
    const waiting = await countWaiting(db);
    log.info({ event: "mail.not-configured", waiting }, "mail is not configured (no SMTP relay): mails wait");
  }
  log.info({ port, store: store.kind }, "backend listening");

  let stopping: Promise<void> | null = null;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    store,
    clock,
    app,
    notifier,
    registrar: sip?.running ?? null,
    relay,
    recordings,
    publisher,
    mail,
    openapi: document,
    revisionSnapshot: (accountId) => revisionSnapshot(db, accountId),
    faults,
    testHooksToken,
    createAccount,
    stop: () => {
      stopping ??= (async () => {
        faults?.releaseAll();
        await new Promise<void>((resolve) => {
          // In-flight requests finish; connections that fall idle afterwards are closed at once.
          const sweep = setInterval(() => server.closeIdleConnections(), 20);
          server.close(() => {
            clearInterval(sweep);
            resolve();
          });
          server.closeIdleConnections();
        });
        await publisher?.stop();
        await recordings?.stop();
        await mail?.stop();
        await sip?.stop();
        await relay?.stop();
        await store.close();
        log.info("backend stopped");
      })();
      return stopping;
    },
  };
}
