{#- Writes the run into the audit trail (audit.dbt_invocations and audit.dbt_node_results): called by the
    project's on-run-end hook, so every dbt invocation records itself, from gwh build and from the build DAG's dbt_build
    alike. The warehouse's `gwh db init` makes the tables; the transformer role may insert into them only. -#}
{% macro record_invocation(results) %}
    {% if execute and flags.WHICH in ('build', 'run', 'seed', 'test', 'snapshot') %}
        {% set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list %}
        insert into audit.dbt_invocations
            (invocation_id, command, dbt_version, started_at, node_count, failed_count, success)
        values (
            {{ audit_literal(invocation_id) }},
            {{ audit_literal(flags.WHICH) }},
            {{ audit_literal(dbt_version) }},
            {{ audit_literal(run_started_at.isoformat()) }}::timestamptz,
            {{ results | length }},
            {{ failed | length }},
            {{ 'false' if failed else 'true' }}
        )
        on conflict (invocation_id) do nothing;
        {% if results %}
        insert into audit.dbt_node_results
            (invocation_id, unique_id, resource_type, status, execution_time, rows_affected, message)
        values
        {%- for r in results %}
            (
                {{ audit_literal(invocation_id) }},
                {{ audit_literal(r.node.unique_id) }},
                {{ audit_literal(r.node.resource_type) }},
                {{ audit_literal(r.status) }},
                {{ r.execution_time or 'null' }},
                {{ (r.adapter_response or {}).get('rows_affected') or 'null' }},
                {{ audit_literal(r.message) if r.message else 'null' }}
            ){{ "," if not loop.last }}
        {%- endfor %}
        on conflict (invocation_id, unique_id) do nothing;
        {% endif %}
    {% endif %}
{% endmacro %}

{% macro audit_literal(value) -%}
    '{{ (value | string) | replace("'", "''") }}'
{%- endmacro %}
