{#- Money from donors: incoming transactions (IATI types 1 incoming funds, 11 incoming commitment, 13 incoming
    pledge: direction 'incoming' in ref_iati_transaction_types), each under its own type, by donor (provider),
    programme, receiving entity and year, in the original currency and in US dollars. The entity's own outgoing
    flows (commitments, disbursements, expenditure to partners) are not donations and are not here. Money passed on (is_passed_on in fct_programme_funding) is left out: a donor's
    money that a lead entity hands on within a programme, or that a pooled fund with recorded receipts passes on,
    counts once, as the donor's. -#}
with funding as (
    select * from {{ ref('fct_programme_funding') }}
    where record_kind = 'TRANSACTION' and direction = 'incoming' and not is_passed_on
),

final as (
    select
        coalesce(provider_entity_code, provider_org, provider_org_ref, 'not given')::text as donor,
        bool_or(provider_is_pooled_fund)::boolean as donor_is_pooled_fund,
        programme_id::text as programme_id,
        coalesce(receiver_entity_code, lead_entity_code)::text as receiving_entity_code,
        funding_year::integer as funding_year,
        transaction_type::text as transaction_type,
        min(transaction_type_name)::text as transaction_type_name,
        currency_code::text as currency_code,
        sum(amount)::numeric(21, 6) as amount,
        sum(usd_amount)::numeric(21, 2) as usd_amount,
        coalesce(sum(amount) filter (where conversion_status = 'NO_RATE'), 0)::numeric(21, 6) as amount_without_rate,
        count(*)::integer as transaction_count,
        count(*) filter (where conversion_status = 'NO_RATE')::integer as transactions_without_rate
    from funding
    group by 1, 3, 4, 5, 6, 8
)

select * from final
