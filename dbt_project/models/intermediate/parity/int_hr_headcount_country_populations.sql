{#- Women, men and other/unknown staff on appointments of one year or more of every entity snapshot, by duty-station
    country and population (each canonical level, each staff category, all staff): what the country parity table
    adds up across entities. int_hr_headcount_populations with the country as one more key
    (macros/headcount_populations.sql), kept incrementally the same way (macros/incremental.sql), so that a build
    never reads every raw row; populations with no staff of a year or more are left out by the mart. -#}
{{-
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['entity_code', 'snapshot_date'],
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['entity_code', 'snapshot_date']}],
        meta={'slices_of': 'hr_headcount'},
        pre_hook="{{ forget_rows_if_inputs_changed() }}",
        post_hook="{{ record_incremental_inputs() }}",
    )
-}}
{{ headcount_populations(['duty_station_country_code']) }}
