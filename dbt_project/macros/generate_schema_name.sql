{#- A model's schema is its custom schema as written (staging, marts, ...), not "<target>_<custom>": BI tools
    and the database roles address these schemas by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
