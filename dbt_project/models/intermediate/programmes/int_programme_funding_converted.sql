{#- Every current funding record with its organisations resolved, its US dollar value and whether it passes on
    money already counted.

    USD: the amount divided by the rate (units per USD) of its currency for the month of its value date. The
    rate, its source and its month stay beside the result. Without a rate for that currency and month the USD
    amount is null and conversion_status is NO_RATE: never dropped, never converted at 1.

    Passed on: an incoming transaction (direction 'incoming' in ref_iati_transaction_types: 1, 11, 13) from another organisation than its receiver (an entity's own contribution to itself is never passed on) whose provider received an incoming transaction of the same
    type for the same programme from someone else (a lead entity handing on a donor's money), or for the programme
    the provider names as the money's origin (IATI provider-activity-id), or whose provider is a UN pooled fund that the warehouse records receiving money of that type in any programme
    (the fund's own activity, with the donors' contributions). The money is counted once, where it entered.
    is_passed_on_within_programme keeps to the first case: what a programme's own totals leave out. -#}
with funding as (
    select * from {{ ref('stg_warehouse__programme_funding') }}
),

programmes as (
    select * from {{ ref('int_programmes') }}
),

entities as (
    select * from {{ ref('ref_entities') }}
),

pooled_funds as (
    select * from {{ ref('ref_pooled_funds') }}
),

incoming_types as (
    select transaction_type from {{ ref('ref_iati_transaction_types') }} where direction = 'incoming'
),

rates as (
    select * from {{ ref('ref_exchange_rates') }}
),

register as (
    select * from {{ ref('stg_warehouse__programme_register') }}
),

resolved as (
    select
        funding.*,
        {{ entity_of_organisation('entities', 'funding.provider_org', 'funding.provider_org_ref') }} as provider_entity_code,
        {{ entity_of_organisation('entities', 'funding.receiver_org', 'funding.receiver_org_ref') }} as receiver_entity_code,
        {{ pooled_fund_of_organisation('pooled_funds', 'funding.provider_org', 'funding.provider_org_ref') }} as provider_fund_ref,
        {{ pooled_fund_of_organisation('pooled_funds', 'funding.receiver_org', 'funding.receiver_org_ref') }} as receiver_fund_ref
    from funding
),

named_refs as (
    -- An organisation written with its identifier in one place and by its name alone in another is one
    -- organisation: a name that comes with exactly one identifier anywhere takes it.
    select lower(trim(org_name)) as name_key, min(upper(trim(org_ref))) as org_ref
    from (
        select provider_org as org_name, provider_org_ref as org_ref from funding
        union all
        select receiver_org, receiver_org_ref from funding
        union all
        select participating_org, participating_org_ref from register
    ) as named
    where nullif(trim(org_ref), '') is not null and nullif(trim(org_name), '') is not null
    group by 1
    having count(distinct upper(trim(org_ref))) = 1
),

keyed as (
    select
        resolved.*,
        {{ organisation_key(
            'coalesce(provider_entity_code, provider_fund_ref, provider_named.org_ref)', 'provider_org', 'provider_org_ref'
        ) }} as provider_key,
        {{ organisation_key(
            'coalesce(receiver_entity_code, receiver_fund_ref, receiver_named.org_ref)', 'receiver_org', 'receiver_org_ref'
        ) }} as receiver_key,
        provider_fund_ref is not null as provider_is_pooled_fund,
        receiver_fund_ref is not null as receiver_is_pooled_fund
    from resolved
    left join named_refs as provider_named on provider_named.name_key = lower(trim(resolved.provider_org))
    left join named_refs as receiver_named on receiver_named.name_key = lower(trim(resolved.receiver_org))
),

incoming as (
    select distinct programme_id, transaction_type, receiver_key, provider_key
    from keyed
    where record_kind = 'TRANSACTION' and transaction_type in (select transaction_type from incoming_types) and receiver_key is not null
),

pooled_fund_receipts as (
    select distinct transaction_type, receiver_key, provider_key
    from keyed
    where record_kind = 'TRANSACTION' and transaction_type in (select transaction_type from incoming_types) and receiver_is_pooled_fund
),

converted as (
    select
        keyed.*,
        case
            when keyed.currency_code = 'USD' then 'USD'
            when rates.units_per_usd is not null then 'CONVERTED'
            else 'NO_RATE'
        end as conversion_status,
        case when keyed.currency_code = 'USD' then 1 else rates.units_per_usd end as units_per_usd,
        case when keyed.currency_code = 'USD' then 'none: the amount is in US dollars' else rates.rate_source end
            as rate_source,
        case when keyed.currency_code <> 'USD' then rates.effective_date end as rate_effective_date,
        case
            when keyed.currency_code = 'USD' then keyed.amount
            else round(keyed.amount / rates.units_per_usd, 2)
        end as usd_amount,
        -- Money an organisation records giving itself (UNDP's own core resources committed to its project) is its
        -- own contribution, never money passed on, whoever else gave to the same programme.
        keyed.record_kind = 'TRANSACTION' and keyed.transaction_type in (select transaction_type from incoming_types)
            and keyed.provider_key is distinct from keyed.receiver_key as is_incoming_from_another,
        -- Did the provider receive this money from someone else, in this programme or in the programme it names
        -- as the money's origin? null: no; true: in this programme; false: only in the named one.
        (
            select bool_or(incoming.programme_id = keyed.programme_id)
            from incoming
            where incoming.programme_id in (keyed.programme_id, keyed.provider_activity_id)
              and incoming.transaction_type = keyed.transaction_type
              and incoming.receiver_key = keyed.provider_key
              and incoming.provider_key is distinct from keyed.provider_key
        ) as handed_on_within
    from keyed
    left join rates
        on rates.currency_code = keyed.currency_code
        and rates.effective_date = date_trunc('month', keyed.value_date)::date
),

final as (
    select
        converted.programme_id,
        converted.submission_id,
        converted.source_sheet,
        converted.source_row,
        converted.record_kind,
        converted.transaction_type,
        converted.funding_date,
        extract(year from converted.funding_date)::integer as funding_year,
        converted.period_end,
        converted.amount,
        converted.currency_code,
        converted.value_date,
        converted.usd_amount,
        converted.units_per_usd,
        converted.rate_source,
        converted.rate_effective_date,
        converted.conversion_status,
        converted.provider_org,
        converted.provider_org_ref,
        converted.provider_entity_code,
        converted.provider_key,
        converted.provider_is_pooled_fund,
        converted.provider_activity_id,
        converted.receiver_org,
        converted.receiver_org_ref,
        converted.receiver_entity_code,
        converted.receiver_key,
        converted.is_incoming_from_another and coalesce(converted.handed_on_within, false) as is_passed_on_within_programme,
        converted.is_incoming_from_another and (
            converted.handed_on_within is not null
            or converted.provider_is_pooled_fund and exists (
                select 1 from pooled_fund_receipts as r
                where r.transaction_type = converted.transaction_type
                  and r.receiver_key = converted.provider_key
                  and r.provider_key is distinct from converted.provider_key
            )
        ) as is_passed_on,
        coalesce(converted.dac_gender_marker, programmes.dac_gender_marker) as dac_gender_marker,
        coalesce(converted.unct_gem, programmes.unct_gem) as unct_gem,
        programmes.lead_entity_code
    from converted
    left join programmes using (programme_id)
)

select * from final
