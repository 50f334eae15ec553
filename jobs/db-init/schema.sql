-- Initial schema of the chatbot, applied by db-init on every run inside its one transaction,
-- as the schema owner role, with search_path = app, public. Everything is IF NOT EXISTS so a
-- re-run is a no-op. Later changes belong to migrations (run as, or SET ROLE to, the owner),
-- not to edits of existing statements here: IF NOT EXISTS would skip them on live databases.
-- No COMMIT/ROLLBACK: db-init refuses files that would end its transaction.

-- One person, reachable from Telegram and/or Discord. Both platforms use 64-bit numeric ids
-- (Discord snowflakes fit a signed bigint until 2084).
CREATE TABLE IF NOT EXISTS users (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  telegram_id bigint UNIQUE,
  discord_id  bigint UNIQUE,
  locale      text NOT NULL DEFAULT 'en',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_has_platform_id CHECK (telegram_id IS NOT NULL OR discord_id IS NOT NULL)
);

-- A chat thread on one channel; the API's web widget is a channel too.
CREATE TABLE IF NOT EXISTS conversations (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel         text NOT NULL CHECK (channel IN ('telegram', 'discord', 'web')),
  started_at      timestamptz NOT NULL DEFAULT now(),
  last_message_at timestamptz NOT NULL DEFAULT now(),
  closed_at       timestamptz
);
CREATE INDEX IF NOT EXISTS conversations_user_id_idx ON conversations (user_id, last_message_at DESC);

CREATE TABLE IF NOT EXISTS messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role            text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  content         text NOT NULL,
  model           text,              -- LLM that produced an assistant message
  tokens          integer CHECK (tokens >= 0),
  from_cache      boolean NOT NULL DEFAULT false, -- answered from the Redis LLM cache
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS messages_conversation_idx ON messages (conversation_id, created_at);

-- Where each user is in wallet onboarding. Only public data: an address, never a key or seed.
CREATE TABLE IF NOT EXISTS wallet_onboarding (
  user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  step           text NOT NULL DEFAULT 'started'
                 CHECK (step IN ('started', 'wallet_chosen', 'wallet_created', 'backup_confirmed', 'funded', 'first_transaction', 'completed')),
  wallet_type    text,             -- e.g. 'metamask', 'phantom'
  chain          text,             -- e.g. 'ethereum', 'solana'
  wallet_address text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  completed_at   timestamptz,
  CONSTRAINT wallet_onboarding_completed CHECK ((step = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS wallet_onboarding_step_idx ON wallet_onboarding (step);
