{#- Every drop of a relation (dbt drops the previous version of a view or table after building the new one, and a
    seed before reloading it) takes one warehouse-wide advisory lock first, held to the end of its transaction.
    dbt drops with CASCADE: two threads dropping relations that share a dependent view (int_programmes reads three
    staging views) would each lock part of the chain and wait on the other, and PostgreSQL would end one of them
    with "deadlock detected". One at a time, they cannot. The lock and the drop are one statement string, so they
    share a transaction even where dbt runs the drop outside one. -#}
{% macro postgres__drop_relation(relation) -%}
    {% call statement('drop_relation', auto_begin=False) -%}
        select pg_advisory_xact_lock(hashtext('gender_warehouse: dbt drops relations one at a time'));
        {{ get_drop_sql(relation) }}
    {%- endcall %}
{% endmacro %}
