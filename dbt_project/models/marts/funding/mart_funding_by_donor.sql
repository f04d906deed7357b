{#- Money from donors: incoming transactions (IATI types 1 incoming funds, 11 incoming commitment, 13 incoming
    pledge: direction 'incoming' in ref_iati_transaction_types), each under its own type, by donor, programme,
    receiving entity and year, in the original currency and in US dollars. A donor is one organisation however its
    records write it (provider_key: its entity code or pooled fund, its identifier, else its name), named by its
    entity code or else by the name its records use most. The entity's own outgoing flows (commitments,
    disbursements, expenditure to partners), budgets and planned disbursements are not donations and are not here.
    Money passed on (is_passed_on in fct_programme_funding) is left out: a donor's money that a lead entity hands on
    within a programme, or that a pooled fund with recorded receipts passes on, counts once, as the donor's. -#}
with funding as (
    select * from {{ ref('fct_programme_funding') }}
    where record_kind = 'TRANSACTION' and direction = 'incoming' and not is_passed_on
),

donor_names as (
    -- The name a donor's records use most (ties: the first in byte order), else its identifier.
    select
        provider_key,
        coalesce(
            min(provider_entity_code),
            mode() within group (order by provider_org collate "C"),
            min(provider_org_ref)
        ) as donor,
        min(upper(provider_org_ref)) as donor_ref
    from funding
    where provider_key is not null
    group by provider_key
),

final as (
    select
        coalesce(donor_names.donor, 'not given')::text as donor,
        donor_names.donor_ref::text as donor_ref,
        bool_or(funding.provider_is_pooled_fund)::boolean as donor_is_pooled_fund,
        funding.programme_id::text as programme_id,
        coalesce(funding.receiver_entity_code, funding.lead_entity_code)::text as receiving_entity_code,
        funding.funding_year::integer as funding_year,
        funding.transaction_type::text as transaction_type,
        min(funding.transaction_type_name)::text as transaction_type_name,
        funding.currency_code::text as currency_code,
        sum(funding.amount)::numeric(21, 6) as amount,
        sum(funding.usd_amount)::numeric(21, 2) as usd_amount,
        coalesce(sum(funding.amount) filter (where funding.conversion_status = 'NO_RATE'), 0)::numeric(21, 6)
            as amount_without_rate,
        count(*)::integer as transaction_count,
        count(*) filter (where funding.conversion_status = 'NO_RATE')::integer as transactions_without_rate
    from funding
    left join donor_names using (provider_key)
    group by funding.provider_key, 1, 2, 4, 5, 6, 7, 9
)

select * from final
