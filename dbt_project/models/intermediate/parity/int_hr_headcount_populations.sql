{#- Women, men and other/unknown staff on appointments of one year or more, for every population of every entity
    snapshot: each canonical level, each staff category (PROFESSIONAL_AND_HIGHER among them) and all staff; also
    the populations with no such staff (all temporary), which int_parity_populations leaves out
    (macros/headcount_populations.sql; kept incrementally, macros/incremental.sql). -#}
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
{{ headcount_populations() }}
