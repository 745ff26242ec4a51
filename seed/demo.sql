-- Demo sources for the local quick start (`npm start`). Their originals come from the gateway's
-- built-in demo origin (/_demo/origin, enabled with DEMO_ORIGIN=true), so nothing needs a network.
-- Idempotent: re-running `npm start` keeps whatever you changed.
INSERT OR IGNORE INTO sources (id, kind, host, path_prefix, origin, on_miss, redirect_status, default_variant, require_signed_urls, options, enabled, created_at, updated_at)
VALUES
  ('demo-cloudinary', 'cloudinary', NULL, '/cloudinary', 'http://127.0.0.1:8787/_demo/origin', 'ingest', 302, 'public', 0, '{"cloudName":"demo"}', 1, strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  ('demo-imgix', 'imgix', NULL, '/imgix', 'http://127.0.0.1:8787/_demo/origin', 'ingest', 302, 'public', 0, '{}', 1, strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  ('demo-s3', 's3', NULL, '/s3', 'http://127.0.0.1:8787/_demo/origin', 'ingest', 302, 'public', 0, '{"bucket":"demo-bucket","pathStyle":true}', 1, strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now'));
