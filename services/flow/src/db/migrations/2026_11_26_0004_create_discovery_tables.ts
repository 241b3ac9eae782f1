import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit after release; add a new migration instead.
// The discovery engine's state and results. Every result table is keyed so that re-running a
// batch after a crash overwrites instead of duplicating.
export const createDiscoveryTables: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`
      alter table flows
        add column status_message text not null default '',
        add column connection_count bigint not null default 0,
        add column asset_count bigint not null default 0,
        add column application_count bigint not null default 0,
        add column notices jsonb not null default '[]',
        add column mapping_format text not null default '',
        add column completed_at timestamptz,
        -- Which engine instance works on the flow, until when (crash recovery by lease expiry).
        add column lease_owner text,
        add column lease_until timestamptz`.execute(db);
    await sql`create index flows_runnable_idx on flows (updated_at) where status in ('pending', 'running')`.execute(db);

    await sql`alter table raw_records add column quality double precision`.execute(db);

    await sql`
      create table connections_raw (
        flow_id uuid not null references flows (id) on delete cascade,
        row_number integer not null,
        source text not null,
        destination text not null,
        port integer,
        protocol text not null default '',
        primary key (flow_id, row_number)
      )`.execute(db);

    await sql`
      create table flow_phases (
        flow_id uuid not null references flows (id) on delete cascade,
        phase text not null,
        status text not null default 'pending'
          check (status in ('pending', 'running', 'completed', 'failed', 'skipped')),
        progress integer not null default 0,
        processed bigint not null default 0,
        total bigint not null default 0,
        -- Phase-specific resume point, e.g. {"last_row": 4000}.
        checkpoint jsonb not null default '{}',
        error text not null default '',
        started_at timestamptz,
        completed_at timestamptz,
        primary key (flow_id, phase)
      )`.execute(db);

    await sql`
      create table field_mappings (
        flow_id uuid not null references flows (id) on delete cascade,
        position integer not null,
        source text not null,
        target text,
        confidence double precision not null,
        reason text not null,
        unit text not null default '',
        alternatives jsonb not null default '[]',
        -- suggested, approved (as suggested) or corrected (by a person).
        state text not null default 'suggested' check (state in ('suggested', 'approved', 'corrected')),
        primary key (flow_id, source)
      )`.execute(db);

    await sql`
      create table issues (
        flow_id uuid not null references flows (id) on delete cascade,
        id bigserial,
        phase text not null,
        row_number integer not null default 0,
        column_name text not null default '',
        field text not null default '',
        value text not null default '',
        severity text not null check (severity in ('info', 'warning', 'error')),
        code text not null,
        message text not null,
        primary key (flow_id, id)
      )`.execute(db);
    await sql`create index issues_flow_phase_row_idx on issues (flow_id, phase, row_number)`.execute(db);

    await sql`
      create table assets (
        flow_id uuid not null references flows (id) on delete cascade,
        row_number integer not null,
        -- The agent.v1.Asset message as JSON (proto field names).
        data jsonb not null,
        changes jsonb not null default '[]',
        asset_name text not null default '',
        hostname text not null default '',
        asset_type text not null default '',
        environment text not null default '',
        os_family text not null default '',
        quality double precision not null default 0,
        duplicate_of integer,
        application_key text,
        strategy text,
        -- The agent.v1.StrategyRecommendation message as JSON.
        strategy_detail jsonb,
        wave integer,
        primary key (flow_id, row_number)
      )`.execute(db);

    await sql`
      create table dependencies (
        flow_id uuid not null references flows (id) on delete cascade,
        id integer not null,
        source_row_number integer not null,
        source_label text not null,
        target_row_number integer not null,
        target_label text not null,
        port integer not null default 0,
        protocol text not null default '',
        service_kind text not null default 'unknown',
        connection_count integer not null default 1,
        external boolean not null default false,
        primary key (flow_id, id)
      )`.execute(db);

    await sql`
      create table applications (
        flow_id uuid not null references flows (id) on delete cascade,
        key text not null,
        name text not null,
        method text not null,
        confidence double precision not null,
        reason text not null,
        asset_count integer not null default 0,
        -- The agent.v1.ApplicationStrategy message as JSON.
        strategy jsonb,
        wave integer,
        primary key (flow_id, key)
      )`.execute(db);

    await sql`
      create table application_edges (
        flow_id uuid not null references flows (id) on delete cascade,
        source_key text not null,
        target_key text not null,
        edge_count integer not null,
        service_kinds jsonb not null default '[]',
        primary key (flow_id, source_key, target_key)
      )`.execute(db);

    await sql`
      create table waves (
        flow_id uuid not null references flows (id) on delete cascade,
        number integer not null,
        application_keys jsonb not null,
        rationale text not null,
        primary key (flow_id, number)
      )`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      "waves",
      "application_edges",
      "applications",
      "dependencies",
      "assets",
      "issues",
      "field_mappings",
      "flow_phases",
      "connections_raw",
    ]) {
      await sql`drop table ${sql.id(table)}`.execute(db);
    }
  },
};
