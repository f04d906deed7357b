{#- How the programme tables name an organisation: by a UN entity's code (UN-WOMEN), by its IATI identifier
    (XM-DAC-41146, the bare CRS channel code 41146, or another identifier it publishes under, in
    ref_organisation_identifiers) or by its name (the entity's official name is
    recognised). These macros resolve the first two to the
    entity and give every organisation one key, so that a donor or receiver written either way is one party. -#}

{% macro entity_of_organisation(entities_relation, name_column, ref_column) -%}
    coalesce(
        (select e.entity_code from {{ entities_relation }} as e where e.entity_code = upper(trim({{ name_column }}))),
        (select e.entity_code from {{ entities_relation }} as e
         where e.iati_org_ref <> ''
           and upper(e.iati_org_ref) in (upper(trim({{ ref_column }})), 'XM-DAC-' || upper(trim({{ ref_column }})))),
        (select i.entity_code from {{ ref('ref_organisation_identifiers') }} as i
         where upper(i.organisation_ref) = upper(trim({{ ref_column }}))),
        (select e.entity_code from {{ entities_relation }} as e where lower(e.entity_name) = lower(trim({{ name_column }})))
    )
{%- endmacro %}

{% macro organisation_key(entity_column, name_column, ref_column) -%}
    coalesce({{ entity_column }}, upper(nullif(trim({{ ref_column }}), '')), lower(nullif(trim({{ name_column }}), '')))
{%- endmacro %}

{#- The IATI identifier of the UN pooled fund an organisation is (by identifier, bare CRS code or name), or null. -#}
{% macro pooled_fund_of_organisation(funds_relation, name_column, ref_column) -%}
    (select f.iati_org_ref from {{ funds_relation }} as f
     where upper(f.iati_org_ref) in (upper(trim({{ ref_column }})), 'XM-DAC-' || upper(trim({{ ref_column }})))
        or lower(f.fund_name) = lower(trim({{ name_column }}))
        or f.iati_org_ref = (select i.pooled_fund_ref from {{ ref('ref_organisation_identifiers') }} as i
                             where upper(i.organisation_ref) = upper(trim({{ ref_column }})))
     limit 1)
{%- endmacro %}
