{#- The organisations taking part in each current programme, resolved to UN entities where they are one. -#}
with register as (
    select * from {{ ref('stg_warehouse__programme_register') }}
),

entities as (
    select * from {{ ref('ref_entities') }}
),

pooled_funds as (
    select * from {{ ref('ref_pooled_funds') }}
),

resolved as (
    select
        programme_id,
        participating_org,
        participating_org_ref,
        participating_role,
        {{ entity_of_organisation('entities', 'participating_org', 'participating_org_ref') }} as participating_entity_code
    from register
),

final as (
    select
        resolved.*,
        exists (
            select 1 from pooled_funds as f
            where upper(f.iati_org_ref) in (upper(resolved.participating_org_ref), 'XM-DAC-' || upper(resolved.participating_org_ref))
               or lower(f.fund_name) = lower(resolved.participating_org)
        ) as is_pooled_fund
    from resolved
)

select * from final
