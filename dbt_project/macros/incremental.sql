{#- Incremental models over a raw table rebuild only the slices a load touched (delete+insert on the slice's
    columns, the table's supersedes_by in contracts.py), and rebuild in full whenever what they are computed from
    changed (their SQL or that of a model they read, a seed, a project macro they call): never stale, and the same
    rows as a full build.

    A model opts in with:
        materialized='incremental', incremental_strategy='delete+insert', unique_key=<the slice's columns>,
        meta={'slices_of': '<raw table>'}, pre_hook="{{ forget_rows_if_inputs_changed() }}",
        post_hook="{{ record_incremental_inputs() }}"
    and carries a load_id column (audit.loads): the latest load it holds is how far it has been built. A new
    column reaches the table (on_schema_change='append_new_columns', which an enforced contract allows); one the
    model drops stays, empty, until `gwh build --full-refresh`. -#}

{#- The slices of `table_name` loaded after the latest load this model holds (load_id), as rows of the model's
    unique_key columns (typed as `types` says), each with every submission that holds rows of it. A load that lost
    to a later-submitted version is taken again on the next run too (its slices come out the same): harmless, and
    it keeps the rule simple. Loads of one table take turns and get their load_id in their turn
    (gender_warehouse.loading), so load ids commit in order. -#}
{% macro slices_to_rebuild(table_name, types) %}
    {%- set keys = config.get('unique_key') -%}
    with changed as (
        select distinct slices.slice
        from {{ source('audit', 'raw_slices') }} as slices
        inner join {{ source('audit', 'loads') }} as loads
            on loads.submission_id = slices.submission_id and loads.table_name = slices.table_name
        where slices.table_name = '{{ table_name }}'
            and loads.load_id > (select coalesce(max(load_id), 0) from {{ this }})
    )
    select
        {%- for key in keys %}
        (slices.slice::jsonb ->> {{ loop.index0 }})::{{ types[key] }} as {{ key }},
        {%- endfor %}
        array_to_string(array_agg(slices.submission_id order by slices.submission_id), ',') as submissions
    from {{ source('audit', 'raw_slices') }} as slices
    inner join changed on changed.slice = slices.slice
    where slices.table_name = '{{ table_name }}'
    group by slices.slice
{% endmacro %}

{#- A value read from the database as a SQL literal of its type (the values are submitted data: quotes doubled). -#}
{% macro incremental_literal(value, type) %}
    {{- return("'" ~ (value | string | replace("'", "''")) ~ "'::" ~ type) -}}
{% endmacro %}

{#- The unique ids of the nodes this model is computed from: seeds, models, snapshots, itself. -#}
{% macro incremental_input_ids(node) %}
    {%- set seen = [node.unique_id] -%}
    {%- set frontier = [node] -%}
    {#- Jinja has no while: a bounded number of passes, each one level further up the graph. -#}
    {%- for depth in range(50) if frontier -%}
        {%- set parents = [] -%}
        {%- for n in frontier -%}
            {%- for parent in n.depends_on.nodes if parent not in seen -%}
                {%- do seen.append(parent) -%}
                {%- if parent in graph.nodes -%}{%- do parents.append(graph.nodes[parent]) -%}{%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do frontier.clear() -%}
        {%- do frontier.extend(parents) -%}
    {%- endfor -%}
    {{ return(seen | sort) }}
{% endmacro %}

{#- The project's macros a set of nodes calls, and the macros those call: their unique ids. dbt's own macros change
    only with dbt, which `gwh build --full-refresh` covers; the project's are read from its namespace. -#}
{% macro incremental_input_macros(nodes) %}
    {%- set prefix = 'macro.' ~ project_name ~ '.' -%}
    {%- set seen = [] -%}
    {%- set frontier = [] -%}
    {%- for n in nodes -%}{%- do frontier.extend(n.depends_on.macros) -%}{%- endfor -%}
    {%- for depth in range(50) if frontier -%}
        {%- set callees = [] -%}
        {%- for id in frontier if id.startswith(prefix) and id not in seen -%}
            {%- do seen.append(id) -%}
            {%- do callees.extend(context[project_name][id[prefix | length:]].macro.depends_on.macros) -%}
        {%- endfor -%}
        {%- do frontier.clear() -%}
        {%- do frontier.extend(callees) -%}
    {%- endfor -%}
    {{ return(seen | sort) }}
{% endmacro %}

{#- A fingerprint of everything the model is computed from: the checksum of each node's file (a seed's checksum is
    its content's) and the text of each project macro they call (population_rollup, parity_status, ...), so that a
    change to a shared macro rebuilds the models that use it. The graph is there when the model's SQL is rendered,
    not in its hooks: the SQL carries the fingerprint in a comment (incremental_slices writes it), where the hooks
    read it back. -#}
{% macro incremental_inputs_fingerprint() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- if 'nodes' in graph -%}
        {%- set parts = [] -%}
        {%- set inputs = [] -%}
        {%- for id in incremental_input_ids(graph.nodes[model.unique_id]) if id in graph.nodes -%}
            {%- do inputs.append(graph.nodes[id]) -%}
            {%- do parts.append(id ~ ':' ~ graph.nodes[id].checksum.checksum) -%}
        {%- endfor -%}
        {%- set prefix = 'macro.' ~ project_name ~ '.' -%}
        {%- for id in incremental_input_macros(inputs) -%}
            {%- do parts.append(id ~ ':' ~ local_md5(context[project_name][id[prefix | length:]].macro.macro_sql)) -%}
        {%- endfor -%}
        {{ return(local_md5(parts | join('\n'))) }}
    {%- endif -%}
    {%- set found = modules.re.search('incremental inputs: ([0-9a-f]{32})', model.compiled_code or '') -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error(model.name ~ " is incremental but its SQL does not call incremental_slices()") }}
    {%- endif -%}
    {{ return(found.group(1)) }}
{% endmacro %}

{% macro incremental_inputs_relation() %}
    {#- In the intermediate schema, for every incremental model: BI tools, which read marts, never see it. -#}
    {{ return(api.Relation.create(
        database=this.database, schema=generate_schema_name('intermediate', none), identifier='dbt_incremental_inputs'
    )) }}
{% endmacro %}

{#- Whether the model's table was built from other inputs than today's (or its record is missing). -#}
{% macro incremental_inputs_changed() %}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set state = incremental_inputs_relation() -%}
    {%- if load_relation(state) is none -%}{{ return(true) }}{%- endif -%}
    {%- set found = run_query(
        "select fingerprint from " ~ state ~ " where model = '" ~ this.schema ~ "." ~ this.identifier ~ "'"
    ) -%}
    {{ return(found.rows | length == 0 or found.rows[0][0] != incremental_inputs_fingerprint()) }}
{% endmacro %}

{#- Pre-hook: an incremental run over a table built from other inputs empties it first, so that every slice is
    rebuilt from today's inputs (the model's filter is off for the same reason). -#}
{% macro forget_rows_if_inputs_changed() %}
    {%- if execute and is_incremental() and incremental_inputs_changed() -%}
        {{ log("inputs of " ~ this ~ " changed since it was built: rebuilding every slice", info=true) }}
        truncate table {{ this }}
    {%- endif -%}
{% endmacro %}

{#- The model's condition on the raw rows it reads (which have the unique_key columns and submission_id): on an
    incremental run over a table built from today's inputs, the rows of the slices to rebuild; every row otherwise.

    The slices are found when the SQL is rendered and written into it as values, with the submissions that held
    them then: the planner finds their rows through the raw table's BRIN indexes (as a join it would read every raw
    row: 10M rows, 10 s and more). A load that commits in between is left for the next run: its rows are not read,
    so its load_id is not recorded as built. Past 200 slices, one join. -#}
{% macro incremental_slices(table_name, types) %}
    /* incremental inputs: {{ incremental_inputs_fingerprint() }} */
    {%- set keys = config.get('unique_key') -%}
    {%- set incremental = execute and is_incremental() and not incremental_inputs_changed() -%}
    {%- set found = run_query(slices_to_rebuild(table_name, types)) if incremental else none -%}
    {%- if not incremental -%}
        true
    {%- elif found.rows | length == 0 -%}
        false
    {%- elif found.rows | length <= 200 -%}
        (
        {%- for row in found.rows %}
            ({% for key in keys %}{{ key }} = {{ incremental_literal(row[key], types[key]) }} and {% endfor -%}
            submission_id = any({{ incremental_literal('{' ~ row['submissions'] ~ '}', 'bigint[]') }}))
            {{- ' or' if not loop.last }}
        {%- endfor %}
        )
    {%- else -%}
        ({{ keys | join(', ') }}) in (select {{ keys | join(', ') }} from ({{ slices_to_rebuild(table_name, types) }}) as s)
    {%- endif -%}
{% endmacro %}

{#- Post-hook: which inputs the table is now built from. -#}
{% macro record_incremental_inputs() %}
    {%- set state = incremental_inputs_relation() -%}
    create table if not exists {{ state }} (
        model text primary key,
        fingerprint text not null,
        built_at timestamptz not null
    );
    comment on table {{ state }} is 'Which inputs (SQL, seeds) each incremental model of the warehouse was last built from: a change rebuilds it whole.';
    insert into {{ state }} (model, fingerprint, built_at)
    values ('{{ this.schema }}.{{ this.identifier }}', '{{ incremental_inputs_fingerprint() }}', now())
    on conflict (model) do update set fingerprint = excluded.fingerprint, built_at = excluded.built_at
{% endmacro %}
