//! The finance demo: business cases for the Haringey–Waltham Forest projects whose savings the
//! committee report states, the Tees Valley collaboration's £5m–£8m range and its £75,000
//! business case, the Capital Ambition funding, and an apportionment where Slough joins
//! Cambridgeshire and Northamptonshire.
//!
//! The seeds state savings but no costs, timings or splits between councils. Where an
//! appraisal needs one, the record says so in its `illustrative` note; no figure is invented
//! silently. Loading twice adds nothing: records are matched by kind, partnership and title.
//!
//! Everything is written through the finance use cases, as Accord itself
//! ([`accord_app::Caller::system`]), published.

use accord_analytics::business_case::{
    BusinessCase, CaseCost, DecisionRule, LineKind, OptimismBias, OptionInput, SavingLine,
    StartValue,
};
use accord_analytics::coalition_model::{ModelInput, Penalty};
use accord_analytics::distribution::{Estimate, Shape};
use accord_analytics::monte_carlo::Settings;
use accord_app::finance::allocations::{self, AllocationBody, AllocationCommand};
use accord_app::finance::business_cases::{self, BusinessCaseBody, CaseCommand};
use accord_app::finance::funding::{self, FundingCommand};
use accord_app::finance::{
    AllocationFilter, BusinessCaseFilter, FundingFilter, ListOrder, Visibility,
};
use accord_app::list::ListRequest;
use accord_app::{App, Caller};
use accord_domain::finance::Driver;
use accord_domain::finance::funding::{ConditionStatus, FundingAward, Tranche};
use accord_domain::seed::Seed;
use accord_domain::{FinancialYear, Money, demo};
use std::collections::BTreeMap;

const HARINGEY: &str = "E09000014";
const WALTHAM_FOREST: &str = "E09000031";

/// What the finance demo added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FinanceSummary {
    /// Business cases created.
    pub business_cases: u64,
    /// Allocations created.
    pub allocations: u64,
    /// Funding awards recorded.
    pub funding_awards: u64,
}

/// The first page of a list, large enough to hold every demo record of a partnership.
fn everything() -> ListRequest {
    ListRequest::page(1, accord_app::list::MAX_LIMIT)
}

async fn partnership(app: &App, name: &str) -> anyhow::Result<i64> {
    app.legacy_store()
        .partnership_id_by_name(name)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo partnership {name} is missing"))
}

fn year(text: &str) -> anyhow::Result<FinancialYear> {
    Ok(FinancialYear::parse("financial_year", text)?)
}

fn case(
    name: &str,
    councils: &[&str],
    base_year: &str,
    options: Vec<OptionInput>,
) -> anyhow::Result<BusinessCase> {
    Ok(BusinessCase {
        name: name.to_owned(),
        opportunity: Some(name.to_owned()),
        councils: councils.iter().map(|c| (*c).to_owned()).collect(),
        base_year: Some(year(base_year)?),
        appraisal_years: 10,
        discount_rates: None,
        optimism_bias: OptimismBias::default(),
        case_cost: None,
        funding: Vec::new(),
        options,
        decision: DecisionRule::default(),
        monte_carlo: Settings::default(),
    })
}

fn status_quo() -> OptionInput {
    OptionInput {
        name: "Status quo".to_owned(),
        status_quo: true,
        implementation_years: 0.0,
        optimism_bias: None,
        slippage: None,
        costs: Vec::new(),
        savings: Vec::new(),
    }
}

fn share(name: &str, saving: SavingLine) -> OptionInput {
    OptionInput {
        name: name.to_owned(),
        status_quo: false,
        implementation_years: 0.0,
        optimism_bias: None,
        slippage: None,
        costs: Vec::new(),
        savings: vec![saving],
    }
}

fn recurring(name: &str, amount: Estimate, start: StartValue) -> SavingLine {
    SavingLine {
        name: name.to_owned(),
        cashable: true,
        kind: LineKind::Recurring,
        amount,
        start: Some(start),
        end_year: None,
        ramp_up: Vec::new(),
        split: None,
        slippage: None,
    }
}

async fn add_case(
    app: &App,
    caller: &Caller,
    partnership_id: i64,
    body: BusinessCaseBody,
) -> anyhow::Result<bool> {
    let filter = BusinessCaseFilter {
        text: Some(body.case.name.clone()),
        ..BusinessCaseFilter::default()
    };
    let found = business_cases::list(
        app,
        caller,
        partnership_id,
        &filter,
        ListOrder::Number,
        &everything(),
    )
    .await?;
    if found
        .items
        .iter()
        .any(|e| e.value.case.name == body.case.name)
    {
        return Ok(false);
    }
    business_cases::create(
        app,
        caller,
        partnership_id,
        CaseCommand {
            body,
            visibility: Visibility::Published,
        },
    )
    .await?;
    Ok(true)
}

/// Loads the finance demo.
pub async fn load(app: &App) -> anyhow::Result<FinanceSummary> {
    let caller = Caller::system(super::DEMO_ACTOR);
    let mut summary = FinanceSummary::default();
    let hwf = partnership(app, demo::HWF_NAME).await?;
    // The four Appendix B projects with stated savings: (project, saving, Appendix B number).
    let stated = [
        ("Economic Development", 100_000.0, 1),
        ("Human Resources Shared Services Centre", 100_000.0, 2),
        ("OD & Learning", 150_000.0, 3),
        (
            "Planning & Building Control Back Office Services",
            75_000.0,
            8,
        ),
    ];
    for (project, amount, number) in stated {
        let name = format!("{project}: shared service");
        let c = case(
            &name,
            &[HARINGEY, WALTHAM_FOREST],
            "2011/12",
            vec![
                status_quo(),
                share(
                    "Share the service",
                    recurring(
                        &format!("{project}: potential cashable savings"),
                        Estimate::point(amount),
                        StartValue::Year(1.0),
                    ),
                ),
            ],
        )?;
        let mut body = BusinessCaseBody::new(c);
        body.projected_saving = Some(format!(
            "{} potential cashable savings; costs not stated",
            Money::from_pounds_f64(amount).map_or_else(String::new, Money::whole_pounds)
        ));
        body.illustrative = Some(
            "The report states the potential cashable saving only. Its costs are not stated, so none are entered \
             (the NPV counts savings alone). Counting it as a recurring annual saving from 2012/13 (year 1), \
             shared equally between the two councils, is an illustrative assumption, not from the report."
                .to_owned(),
        );
        body.source = Some(
            Seed::HaringeyCorporateCommitteeReport.at(&format!("Appendix B, project {number}")),
        );
        if add_case(app, &caller, hwf, body).await? {
            summary.business_cases += 1;
        }
    }

    let tees = partnership(
        app,
        "Hartlepool – Darlington – Redcar and Cleveland collaboration",
    )
    .await?;
    let mut c = case(
        "Tees Valley collaboration: shared services",
        &["E06000001", "E06000005", "E06000003"],
        "2012/13",
        vec![
            status_quo(),
            share(
                "Collaborate",
                recurring(
                    "Savings across children’s, adult, corporate and environmental services",
                    Estimate::range(5_000_000.0, 6_500_000.0, 8_000_000.0, Shape::Triangular),
                    StartValue::Text("2013/14".to_owned()),
                ),
            ),
        ],
    )?;
    c.case_cost = Some(CaseCost {
        amount: 75_000.0,
        year: 0,
        funded_by: Some("the Regional Improvement and Efficiency Partnership".to_owned()),
        funded_amount: 75_000.0,
        split: None,
    });
    let mut body = BusinessCaseBody::new(c);
    body.projected_saving = Some("£5m to £8m, not before 2013/14; the business case costs around £75,000, covered by the Regional Improvement and Efficiency Partnership".to_owned());
    body.illustrative = Some(
        "The source gives the range £5m to £8m only. The most likely £6.5m (the middle of the range), a triangular \
         distribution, counting it as a recurring annual saving from 2013/14 shared equally, and the base year 2012/13 \
         are illustrative assumptions. Implementation costs are not stated, so none are entered."
            .to_owned(),
    );
    body.source = Some(Seed::TeesValleyCollaboration.citation());
    if add_case(app, &caller, tees, body).await? {
        summary.business_cases += 1;
    }

    let capital_ambition = FundingAward {
        name: "Capital Ambition funding".to_owned(),
        funder: "Capital Ambition".to_owned(),
        purpose: "Awarded after a successful bid in April 2011, to provide the resources to move the programme on at pace (report 7.6.1).".to_owned(),
        business_case_record_id: None,
        tranches: vec![
            Tranche {
                financial_year: year("2011/12")?,
                awarded: Money::from_pounds(350_000),
                condition: None,
                condition_status: ConditionStatus::None,
                drawn: None,
                spent: None,
            },
            Tranche {
                financial_year: year("2012/13")?,
                awarded: Money::from_pounds(400_000),
                condition: Some("subject to satisfactory progress".to_owned()),
                condition_status: ConditionStatus::Pending,
                drawn: None,
                spent: None,
            },
        ],
        source: Some(Seed::HaringeyCorporateCommitteeReport.at("7.6.1")),
    };
    let filter = FundingFilter {
        text: Some(capital_ambition.name.clone()),
        ..FundingFilter::default()
    };
    let found = funding::list(app, &caller, hwf, &filter, ListOrder::Number, &everything()).await?;
    if !found
        .page
        .items
        .iter()
        .any(|(e, _)| e.value.name == capital_ambition.name)
    {
        funding::add(
            app,
            &caller,
            hwf,
            FundingCommand {
                award: capital_ambition,
                visibility: Visibility::Published,
            },
        )
        .await?;
        summary.funding_awards += 1;
    }

    let counties = partnership(
        app,
        "Cambridgeshire – Northamptonshire shared services, with Slough",
    )
    .await?;
    let title = "Transactional services: running costs when Slough joins (illustrative)";
    let filter = AllocationFilter {
        text: Some(title.to_owned()),
        ..AllocationFilter::default()
    };
    let found = allocations::list(
        app,
        &caller,
        counties,
        &filter,
        ListOrder::Number,
        &everything(),
    )
    .await?;
    if !found.items.iter().any(|e| e.value.title == title) {
        let (cambs, northants, slough) = ("E10000003", "E10000021", "E06000039");
        let standalone: BTreeMap<String, f64> = [
            (cambs, 3_000_000.0),
            (northants, 2_500_000.0),
            (slough, 1_200_000.0),
        ]
        .into_iter()
        .map(|(c, v)| (c.to_owned(), v))
        .collect();
        let body = AllocationBody {
            title: title.to_owned(),
            business_case_record_id: None,
            councils: vec![cambs.to_owned(), northants.to_owned(), slough.to_owned()],
            joining: vec![slough.to_owned()],
            cost: None,
            model: Some(ModelInput {
                standalone,
                shared_fixed_cost: 500_000.0,
                economies_of_scale: 0.3,
                incompatibility: vec![
                    Penalty { between: [cambs.to_owned(), slough.to_owned()], cost: 200_000.0 },
                    Penalty { between: [northants.to_owned(), slough.to_owned()], cost: 150_000.0 },
                ],
            }),
            driver: Driver::Population,
            drivers: BTreeMap::new(),
            split: None,
            illustrative: Some(
                "Every cost here is illustrative: the source states no costs. Payroll, online payments, procurement, \
                 financial systems and HR cost each council a standalone amount; a joint arrangement has a shared fixed \
                 cost, economies of scale and IT-incompatibility penalties for bringing Slough’s systems in."
                    .to_owned(),
            ),
            source: Some(Seed::CountiesPioneerSharedServices.citation()),
            driver_used: None,
            result: None,
        };
        // Every method is run by the use case, as for any allocation saved.
        allocations::create(
            app,
            &caller,
            counties,
            AllocationCommand {
                body,
                visibility: Visibility::Published,
            },
        )
        .await?;
        summary.allocations += 1;
    }
    Ok(summary)
}
