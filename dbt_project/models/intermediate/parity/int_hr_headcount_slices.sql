{#- Each current entity snapshot of hr_headcount: the submission and load it comes from and its rows (what
    mart_lineage shows), kept incrementally (macros/incremental.sql) so that the lineage never reads every raw row. -#}
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
with headcount as (
    select * from {{ ref('stg_warehouse__hr_headcount') }}
    where {{ incremental_slices('hr_headcount', {'entity_code': 'text', 'snapshot_date': 'date'}) }}
),

loads as (
    select * from {{ source('audit', 'loads') }}
    where table_name = 'hr_headcount'
),

slices as (
    select entity_code, snapshot_date, submission_id, count(*)::bigint as row_count
    from headcount
    group by entity_code, snapshot_date, submission_id
),

final as (
    select slices.entity_code, slices.snapshot_date, slices.submission_id, loads.load_id, slices.row_count
    from slices
    inner join loads on loads.submission_id = slices.submission_id
)

select * from final
