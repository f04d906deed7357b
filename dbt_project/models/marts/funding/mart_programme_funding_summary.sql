{#- Each programme's money in US dollars by stage, as IATI names its transaction types: budgeted, planned for
    disbursement (forward-looking, IATI planned-disbursement), pledged to it
    (13 incoming pledge), committed to it (11 incoming commitment), received (1 incoming funds), committed (2
    outgoing commitment), disbursed (3) and spent (4 expenditure), each net of reversals (negative values, shown apart as reversed_usd), with disbursement and expenditure against commitments and receipts
    against pledges. Money handed on inside the programme is counted once; a pooled fund's transfer into it is the
    programme's funding, even where the fund's own receipts are recorded elsewhere. -#}
with all_funding as (
    select * from {{ ref('fct_programme_funding') }}
),

funding as (
    select * from all_funding
    where not is_passed_on_within_programme
),

unconverted as (
    -- What no rate could convert, in its own currency, by stage: "BAM 150,000.00 spent".
    select programme_id, string_agg(amounts, '; ' order by amounts) as unconverted_amounts
    from (
        select
            programme_id,
            currency_code || ' ' || to_char(sum(amount), 'FM999,999,999,999,990.00') || ' '
                || coalesce(funding_stage, case record_kind when 'BUDGET' then 'budgeted' else 'planned for disbursement' end)
                as amounts
        from funding
        where conversion_status = 'NO_RATE'
        group by programme_id, currency_code, funding_stage, record_kind
    ) as by_currency
    group by programme_id
),

passed_on as (
    select programme_id, sum(usd_amount) as passed_on_usd
    from all_funding
    where is_passed_on_within_programme
    group by programme_id
),

programmes as (
    select * from {{ ref('dim_programme') }}
),

by_programme as (
    select
        programme_id,
        {{ usd_total("record_kind = 'BUDGET'") }} as budget_usd,
        {{ usd_total("record_kind = 'PLANNED_DISBURSEMENT'") }} as planned_disbursement_usd,
        {{ usd_total("transaction_type = '13'") }} as pledged_usd,
        {{ usd_total("transaction_type = '11'") }} as committed_incoming_usd,
        {{ usd_total("transaction_type = '1'") }} as received_usd,
        {{ usd_total("transaction_type = '2'") }} as committed_usd,
        {{ usd_total("transaction_type = '3'") }} as disbursed_usd,
        {{ usd_total("transaction_type = '4'") }} as spent_usd,
        -- Reversals and corrections are negative values: the stages above are net of them; this is their total.
        coalesce(-sum(usd_amount) filter (where record_kind = 'TRANSACTION' and usd_amount < 0), 0) as reversed_usd,
        count(*) filter (where conversion_status = 'NO_RATE') as records_without_rate,
        string_agg(distinct currency_code, ', ' order by currency_code) as currencies
    from funding
    group by programme_id
),

final as (
    select
        b.programme_id::text as programme_id,
        p.programme_title::text as programme_title,
        p.lead_entity_code::text as lead_entity_code,
        b.budget_usd::numeric(21, 2) as budget_usd,
        b.planned_disbursement_usd::numeric(21, 2) as planned_disbursement_usd,
        b.pledged_usd::numeric(21, 2) as pledged_usd,
        b.committed_incoming_usd::numeric(21, 2) as committed_incoming_usd,
        b.received_usd::numeric(21, 2) as received_usd,
        b.committed_usd::numeric(21, 2) as committed_usd,
        b.disbursed_usd::numeric(21, 2) as disbursed_usd,
        b.spent_usd::numeric(21, 2) as spent_usd,
        b.reversed_usd::numeric(21, 2) as reversed_usd,
        round(b.received_usd / nullif(b.committed_incoming_usd, 0), 4)::numeric as received_share_of_committed_incoming,
        round(b.disbursed_usd / nullif(b.committed_usd, 0), 4)::numeric as disbursed_share_of_committed,
        round(b.spent_usd / nullif(b.committed_usd, 0), 4)::numeric as spent_share_of_committed,
        round(b.spent_usd / nullif(b.received_usd, 0), 4)::numeric as spent_share_of_received,
        coalesce(passed_on.passed_on_usd, 0)::numeric(21, 2) as passed_on_usd,
        b.records_without_rate::integer as records_without_rate,
        unconverted.unconverted_amounts::text as unconverted_amounts,
        b.currencies::text as currencies
    from by_programme as b
    left join programmes as p using (programme_id)
    left join passed_on using (programme_id)
    left join unconverted using (programme_id)
)

select * from final
