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
        {{ pooled_fund_of_organisation('pooled_funds', 'resolved.participating_org', 'resolved.participating_org_ref') }}
            is not null as is_pooled_fund
    from resolved
)

select * from final
