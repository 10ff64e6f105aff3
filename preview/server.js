/**
 * Serves the off-platform preview of the lead score components: the compiled page (preview/dist, built by
 * `npm run build:preview`), SLDS assets, and the two LeadScoreController methods backed by the running scoring service.
 *
 *   const { startPreview } = require('../../preview/server.js');
 *   const preview = await startPreview({ port: 8081, serviceUrl: 'http://127.0.0.1:8080', apiKey });
 *   console.log(`Lead score preview: ${preview.url}`);
 *
 * or mount it in an existing app: `app.use('/preview', createPreviewHandler({ serviceUrl, apiKey }).handle)`.
 */
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { createScoringClient } = require('./adapter/scoringClient');
const { createLeadStore } = require('./adapter/leadStore');

const DIST_DIR = path.join(__dirname, 'dist');
const INDEX_HTML = path.join(__dirname, 'src', 'index.html');
const SLDS_DIR = path.join(path.dirname(require.resolve('@salesforce-ux/design-system/package.json')), 'assets');
const TYPES = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
};
const MAX_BODY = 16 * 1024;

function isBuilt() {
  return fs.existsSync(path.join(DIST_DIR, 'app.js'));
}

function send(res, status, body, type = 'application/json') {
  const payload = type === 'application/json' ? JSON.stringify(body) : body;
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(payload);
}

function sendFile(res, baseDir, relative) {
  const file = path.resolve(baseDir, '.' + path.posix.normalize('/' + relative));
  if (!file.startsWith(baseDir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    return send(res, 404, { message: 'Not found' });
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
  });
  fs.createReadStream(file).pipe(res);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('Request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new Error('Request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Builds the preview's request handler and its lead store. Scores the sample leads once (as the trigger
 * would on save) when `seed()` is called.
 * @param {{serviceUrl: string, apiKey: string, model?: string, version?: string, topReasons?: number, now?: () => number}} options
 */
function createPreviewHandler(options) {
  const client = createScoringClient(options);
  const store = createLeadStore({ client, now: options.now });

  async function apex(method, req, res) {
    let params;
    try {
      params = await readJson(req);
    } catch (error) {
      return send(res, 400, { message: error.message });
    }
    const leadId = params && typeof params.leadId === 'string' ? params.leadId : '';
    if (!store.has(leadId)) return send(res, 404, { message: `No lead with id ${leadId || '(none)'}.` });
    if (method === 'getLeadScore') return send(res, 200, store.view(leadId));
    return send(res, 200, store.requestRescore(leadId));
  }

  function handle(req, res) {
    const url = new URL(req.url, 'http://preview.local');
    const route = url.pathname;
    if (req.method === 'GET' && (route === '/' || route === '/index.html')) {
      if (!isBuilt())
        return send(
          res,
          503,
          'The preview is not built yet: run `npm run build:preview`.',
          'text/plain; charset=utf-8',
        );
      return sendFile(res, path.dirname(INDEX_HTML), 'index.html');
    }
    if (req.method === 'GET' && route.startsWith('/dist/'))
      return sendFile(res, DIST_DIR, route.slice('/dist/'.length));
    if (req.method === 'GET' && route.startsWith('/slds/'))
      return sendFile(res, SLDS_DIR, route.slice('/slds/'.length));
    if (req.method === 'GET' && route === '/favicon.ico') return send(res, 204, '', 'image/x-icon');
    if (req.method === 'GET' && route === '/api/leads') return send(res, 200, store.list());
    if (req.method === 'POST' && route === '/api/apex/LeadScoreController.getLeadScore')
      return apex('getLeadScore', req, res);
    if (req.method === 'POST' && route === '/api/apex/LeadScoreController.rescoreLead')
      return apex('rescoreLead', req, res);
    return send(res, 404, { message: 'Not found' });
  }

  return { handle, seed: () => store.seed(), store };
}

/**
 * Starts the preview on its own port. Resolves once listening; sample leads are scored in the background.
 * @returns {Promise<{url: string, port: number, seeded: Promise<object[]>, close: () => Promise<void>}>}
 */
function startPreview({ port = 8081, host = '127.0.0.1', ...options }) {
  const preview = createPreviewHandler(options);
  const server = http.createServer((req, res) => {
    Promise.resolve(preview.handle(req, res)).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Preview error' });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      resolve({
        url: `http://${shownHost}:${address.port}/`,
        port: address.port,
        built: isBuilt(),
        seeded: preview.seed(),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

module.exports = { startPreview, createPreviewHandler, isBuilt };
