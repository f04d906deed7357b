with beneficiaries as (
    select * from {{ ref('stg_warehouse__programme_beneficiaries') }}
),

programmes as (
    select * from {{ ref('int_programmes') }}
),

final as (
    select
        b.programme_id::text as programme_id,
        p.lead_entity_code::text as lead_entity_code,
        b.indicator_code::text as indicator_code,
        b.indicator_title::text as indicator_title,
        b.value_kind::text as value_kind,
        b.period_start::date as period_start,
        b.period_end::date as period_end,
        b.country_code::text as country_code,
        b.subnational_area::text as subnational_area,
        b.beneficiary_unit::text as beneficiary_unit,
        b.sex::text as sex,
        b.age_group::text as age_group,
        b.value::numeric(21, 6) as value,
        b.submission_id::bigint as submission_id,
        b.source_sheet::text as source_sheet,
        b.source_row::bigint as source_row
    from beneficiaries as b
    left join programmes as p using (programme_id)
)

select * from final
