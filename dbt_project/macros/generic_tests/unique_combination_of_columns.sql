{#- Rows whose combination of these columns occurs more than once (a model's grain). Written here rather than
    taken from a package: `dbt deps` would need a network at run time. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
