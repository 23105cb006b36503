//! The service catalogue: the services a partnership might share, each in a category.
//!
//! The categories are fixed (they follow the LGA's shared-services map, so one partnership's
//! figures can be compared with another's); the catalogue itself is data that each Accord
//! instance edits. The Haringey – Waltham Forest Schedule 1 services are provided as seed data.

use crate::Invalid;
use crate::opportunity::{APPENDIX_B, ProjectSize};
use crate::seed::Seed;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of service, LGA-style. Used to group the catalogue and to compare partnerships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceCategory {
    /// Finance, HR, IT, audit, property and other internal services.
    BackOffice,
    /// Contact centres, revenues and benefits, registration: services residents contact.
    CustomerServices,
    /// Planning control, building control, trading standards, licensing, community safety.
    Regulatory,
    /// Highways and engineering, waste, street scene, regeneration of places.
    EnvironmentTransportWaste,
    /// Education support, school meals, youth offending and social care for children.
    Childrens,
    /// Adult social care and services for adults.
    Adults,
    /// Legal services.
    Legal,
    /// Procurement and commissioning.
    Procurement,
    /// Management teams and the corporate centre: policy, performance, communications.
    Management,
}

impl ServiceCategory {
    /// Every category, in the order pages list them.
    pub const ALL: [ServiceCategory; 9] = [
        ServiceCategory::BackOffice,
        ServiceCategory::CustomerServices,
        ServiceCategory::Regulatory,
        ServiceCategory::EnvironmentTransportWaste,
        ServiceCategory::Childrens,
        ServiceCategory::Adults,
        ServiceCategory::Legal,
        ServiceCategory::Procurement,
        ServiceCategory::Management,
    ];

    /// The stable name used in storage, URLs and the API (`back-office`).
    pub fn slug(self) -> &'static str {
        match self {
            ServiceCategory::BackOffice => "back-office",
            ServiceCategory::CustomerServices => "customer-services",
            ServiceCategory::Regulatory => "regulatory",
            ServiceCategory::EnvironmentTransportWaste => "environment-transport-waste",
            ServiceCategory::Childrens => "childrens",
            ServiceCategory::Adults => "adults",
            ServiceCategory::Legal => "legal",
            ServiceCategory::Procurement => "procurement",
            ServiceCategory::Management => "management",
        }
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            ServiceCategory::BackOffice => "Back office",
            ServiceCategory::CustomerServices => "Customer services",
            ServiceCategory::Regulatory => "Regulatory",
            ServiceCategory::EnvironmentTransportWaste => "Environment, transport and waste",
            ServiceCategory::Childrens => "Children's services",
            ServiceCategory::Adults => "Adults' services",
            ServiceCategory::Legal => "Legal",
            ServiceCategory::Procurement => "Procurement",
            ServiceCategory::Management => "Management",
        }
    }

    /// Parses a slug (`back-office`) or a label (`Back office`), ignoring case.
    pub fn parse(field: &str, text: &str) -> Result<ServiceCategory, Invalid> {
        let t = text.trim();
        ServiceCategory::ALL
            .into_iter()
            .find(|c| c.slug().eq_ignore_ascii_case(t) || c.label().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                let slugs: Vec<&str> = ServiceCategory::ALL.iter().map(|c| c.slug()).collect();
                Invalid::field(
                    field,
                    format!(
                        "“{text}” is not a service category; use one of {}",
                        slugs.join(", ")
                    ),
                )
            })
    }
}

impl fmt::Display for ServiceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A service in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Service {
    /// The database identity (0 before it is stored).
    pub id: i64,
    /// The service's name, unique in its catalogue ignoring case: "Legal Services".
    pub name: String,
    /// Its category.
    pub category: ServiceCategory,
}

impl Service {
    /// The longest name accepted, in characters.
    pub const MAX_NAME: usize = 200;

    /// Builds a service from a form or an import, trimming the name.
    pub fn parse(name: &str, category: &str) -> Result<Service, Invalid> {
        let mut invalid = Invalid::new();
        let name = invalid.check(check_name(name));
        let category = invalid.check(ServiceCategory::parse("category", category));
        invalid.into_result()?;
        match (name, category) {
            (Some(name), Some(category)) => Ok(Service {
                id: 0,
                name,
                category,
            }),
            // Both checks passed if `invalid` was empty, so both values are present.
            _ => Err(Invalid::field("name", "could not be read")),
        }
    }
}

fn check_name(name: &str) -> Result<String, Invalid> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        Err(Invalid::field("name", "Enter the service's name"))
    } else if trimmed.chars().count() > Service::MAX_NAME {
        Err(Invalid::field(
            "name",
            format!("The name must be {} characters or fewer", Service::MAX_NAME),
        ))
    } else {
        Ok(trimmed.to_owned())
    }
}

/// An instance's catalogue of services. Every edit is checked and a refused edit changes
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Catalogue {
    /// The services, in the order they were added.
    pub services: Vec<Service>,
}

impl Catalogue {
    /// A catalogue holding the Haringey – Waltham Forest Schedule 1 services and the
    /// Appendix B projects' services, each once.
    pub fn seeded() -> Catalogue {
        let mut catalogue = Catalogue::default();
        let names = SCHEDULE_1
            .iter()
            .map(|s| (s.name, s.category))
            .chain(APPENDIX_B.iter().map(|p| (p.service, p.category)));
        for (name, category) in names {
            if catalogue.find(name).is_none() {
                catalogue.services.push(Service {
                    id: 0,
                    name: name.to_owned(),
                    category,
                });
            }
        }
        catalogue
    }

    /// The service with a name, ignoring case and surrounding spaces.
    pub fn find(&self, name: &str) -> Option<&Service> {
        let name = name.trim();
        self.services
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Adds a service; refuses a name already in the catalogue.
    pub fn add(&mut self, service: Service) -> Result<&Service, Invalid> {
        let name = check_name(&service.name)?;
        if self.find(&name).is_some() {
            return Err(Invalid::field(
                "name",
                format!("“{name}” is already in the catalogue"),
            ));
        }
        self.services.push(Service { name, ..service });
        // Just pushed, so the catalogue is not empty.
        self.services
            .last()
            .ok_or_else(|| Invalid::field("name", "could not be added"))
    }

    /// Renames and recategorises the service at `index`; refuses a name another service has.
    pub fn update(
        &mut self,
        index: usize,
        name: &str,
        category: ServiceCategory,
    ) -> Result<(), Invalid> {
        let name = check_name(name)?;
        if index >= self.services.len() {
            return Err(Invalid::field(
                "service",
                format!("there is no service number {index} in the catalogue"),
            ));
        }
        if self
            .services
            .iter()
            .enumerate()
            .any(|(i, s)| i != index && s.name.eq_ignore_ascii_case(&name))
        {
            return Err(Invalid::field(
                "name",
                format!("“{name}” is already in the catalogue"),
            ));
        }
        let service = &mut self.services[index];
        service.name = name;
        service.category = category;
        Ok(())
    }
}

/// A Schedule 1 service of the Haringey – Waltham Forest MOU (seed 003), as seed data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedService {
    /// The service as the schedule names it.
    pub name: &'static str,
    /// The category Accord files it under (the schedule has none; this is Accord's reading).
    pub category: ServiceCategory,
    /// The schedule's phase (1 or 2). Schedule 1 is titled "Wave 1 and 2 services", and
    /// Schedule 2 calls the phase 1 services "Wave 1", so the wave is the same number.
    pub phase: u8,
    /// The heading the schedule lists it under, where it is one of a group
    /// ("Transactional Back Office").
    pub group: Option<&'static str>,
    /// Small or large, where Schedule 2 says ("Wave 1 small projects", "Wave 1 large projects").
    pub size: Option<ProjectSize>,
    /// Where it comes from.
    pub source: Seed,
    /// The place in the source.
    pub place: &'static str,
}

impl SeedService {
    /// The citation for pages: "Seed 003: … — Schedule 1, phase 1".
    pub fn citation(&self) -> String {
        self.source.at(self.place)
    }
}

const fn schedule_1(
    name: &'static str,
    category: ServiceCategory,
    phase: u8,
    group: Option<&'static str>,
    size: Option<ProjectSize>,
) -> SeedService {
    SeedService {
        name,
        category,
        phase,
        group,
        size,
        source: Seed::HaringeyCorporateCommitteeReport,
        place: if phase == 1 {
            "MOU Schedule 1, phase 1 services"
        } else {
            "MOU Schedule 1, phase 2 services"
        },
    }
}

const TRANSACTIONAL: Option<&str> = Some("Transactional Back Office");
const SMALL: Option<ProjectSize> = Some(ProjectSize::Small);
const LARGE: Option<ProjectSize> = Some(ProjectSize::Large);

/// The Schedule 1 services in the schedule's order: phase 1, then phase 2. Phase 1 sizes come
/// from Schedule 2's lists of wave 1 small and large projects; phase 2 sizes are not stated.
pub const SCHEDULE_1: [SeedService; 22] = {
    use ServiceCategory as C;
    [
        schedule_1("Revenues and Benefits", C::CustomerServices, 1, None, LARGE),
        schedule_1("Call Centre", C::CustomerServices, 1, None, LARGE),
        schedule_1("School Meals", C::Childrens, 1, None, SMALL),
        schedule_1(
            "PCN (Parking) Processing",
            C::BackOffice,
            1,
            TRANSACTIONAL,
            LARGE,
        ),
        schedule_1("Transactional HR", C::BackOffice, 1, TRANSACTIONAL, SMALL),
        schedule_1("Finance Processing", C::BackOffice, 1, TRANSACTIONAL, LARGE),
        schedule_1("Legal Services", C::Legal, 1, None, SMALL),
        schedule_1("OD and Learning", C::BackOffice, 1, None, SMALL),
        schedule_1(
            "Engineering Design",
            C::EnvironmentTransportWaste,
            1,
            None,
            SMALL,
        ),
        schedule_1("Audit", C::BackOffice, 1, None, SMALL),
        schedule_1("Adult Education", C::Adults, 2, None, None),
        schedule_1("Development Control", C::Regulatory, 2, None, None),
        schedule_1("Regeneration", C::EnvironmentTransportWaste, 2, None, None),
        schedule_1("Regulatory Services", C::Regulatory, 2, None, None),
        schedule_1("CCTV Services", C::Regulatory, 2, None, None),
        schedule_1("Facility Management", C::BackOffice, 2, None, None),
        schedule_1("Property Services", C::BackOffice, 2, None, None),
        schedule_1("Youth Offending Team", C::Childrens, 2, None, None),
        schedule_1("Diversity and Equalities", C::Management, 2, None, None),
        schedule_1("Communications", C::Management, 2, None, None),
        schedule_1("Performance", C::Management, 2, None, None),
        schedule_1("Policy", C::Management, 2, None, None),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_parse_by_slug_or_label() {
        for category in ServiceCategory::ALL {
            assert_eq!(
                ServiceCategory::parse("category", category.slug()),
                Ok(category)
            );
            assert_eq!(
                ServiceCategory::parse("category", category.label()),
                Ok(category)
            );
        }
        let err = ServiceCategory::parse("category", "housing").unwrap_err();
        assert_eq!(err.errors[0].field, "category");
        assert!(err.errors[0].message.contains("back-office"));
    }

    #[test]
    fn the_catalogue_refuses_duplicate_and_empty_names_and_changes_nothing() {
        let mut catalogue = Catalogue::default();
        catalogue
            .add(Service::parse(" Legal Services ", "legal").unwrap())
            .unwrap();
        catalogue
            .add(Service::parse("Audit", "back-office").unwrap())
            .unwrap();
        assert_eq!(catalogue.services[0].name, "Legal Services");
        let before = catalogue.clone();
        let cases: [(&str, &str); 3] = [("legal services", "name"), ("", "name"), ("x", "service")];
        for (name, field) in cases {
            let err = if field == "service" {
                catalogue
                    .update(9, name, ServiceCategory::Legal)
                    .unwrap_err()
            } else {
                catalogue
                    .add(Service {
                        id: 0,
                        name: name.into(),
                        category: ServiceCategory::Legal,
                    })
                    .unwrap_err()
            };
            assert_eq!(err.errors[0].field, field, "{name:?}");
            assert_eq!(catalogue, before);
        }
        let err = catalogue
            .update(1, "LEGAL SERVICES", ServiceCategory::BackOffice)
            .unwrap_err();
        assert_eq!(err.errors[0].field, "name");
        catalogue
            .update(1, "Audit and Insurance", ServiceCategory::BackOffice)
            .unwrap();
        assert!(catalogue.find("audit and insurance").is_some());
        let err = Service::parse("", "nothing").unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "category"]);
    }

    #[test]
    fn schedule_1_has_both_phases_and_the_wave_1_sizes() {
        let phase = |n| SCHEDULE_1.iter().filter(|s| s.phase == n).count();
        assert_eq!((phase(1), phase(2)), (10, 12));
        let size = |name| SCHEDULE_1.iter().find(|s| s.name == name).unwrap().size;
        assert_eq!(size("Revenues and Benefits"), Some(ProjectSize::Large));
        assert_eq!(size("Legal Services"), Some(ProjectSize::Small));
        assert_eq!(size("Finance Processing"), Some(ProjectSize::Large));
        assert_eq!(size("Transactional HR"), Some(ProjectSize::Small));
        assert_eq!(size("Policy"), None);
        assert!(SCHEDULE_1[0].citation().starts_with("Seed 003"));
    }

    #[test]
    fn the_seeded_catalogue_holds_each_service_once() {
        let catalogue = Catalogue::seeded();
        // 22 Schedule 1 services plus the Appendix B services not already among them.
        let extra = APPENDIX_B
            .iter()
            .filter(|p| {
                !SCHEDULE_1
                    .iter()
                    .any(|s| s.name.eq_ignore_ascii_case(p.service))
            })
            .count();
        assert_eq!(catalogue.services.len(), 22 + extra);
        for service in &catalogue.services {
            let same = catalogue
                .services
                .iter()
                .filter(|s| s.name.eq_ignore_ascii_case(&service.name))
                .count();
            assert_eq!(same, 1, "{}", service.name);
        }
        assert!(catalogue.find("Electoral Services").is_some());
    }
}
