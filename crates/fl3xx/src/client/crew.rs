//! Crew qualifications and qualification types.

use api_core::{NoContent, Response, Result};

use crate::generated::operations;
use crate::*;

use super::id;

impl OperatorClient {
    // Crew qualifications.

    /// A crew member's qualifications (`filter=crewId,EQ,<crew>`).
    pub async fn crew_qualifications(
        &self,
        crew: &Id,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<Response<List<CrewQualification>>> {
        id("crewId", &crew.text())?;
        if crew.text().contains(',') {
            // A comma would add terms to the filter expression.
            return Err(api_core::Error::invalid_input(
                "crewId",
                "must not contain ','",
            ));
        }
        let filter = format!("crewId,EQ,{crew}");
        self.call(operations::list_crew_qualifications(
            &filter,
            limit.map(i64::from),
            offset,
        )?)
        .await
    }

    /// One crew qualification.
    pub async fn crew_qualification(
        &self,
        qualification: &Id,
    ) -> Result<Response<CrewQualification>> {
        self.call(operations::get_crew_qualification(&qualification.text())?)
            .await
    }

    /// Assigns a qualification to a crew member (sent with the 2.4.0 name
    /// `qualificationTypeId`).
    pub async fn create_crew_qualification(
        &self,
        qualification: &CreateCrewQualification,
    ) -> Result<Response<CrewQualification>> {
        id("crewId", &qualification.crew_id)?;
        id("qualificationTypeId", &qualification.qualification_type_id)?;
        self.call(operations::create_crew_qualification(qualification)?)
            .await
    }

    /// Changes a crew qualification.
    pub async fn update_crew_qualification(
        &self,
        qualification: &Id,
        update: &UpdateCrewQualification,
    ) -> Result<Response<CrewQualification>> {
        self.call(operations::update_crew_qualification(
            &qualification.text(),
            update,
        )?)
        .await
    }

    /// Deletes a crew qualification.
    pub async fn delete_crew_qualification(
        &self,
        qualification: &Id,
    ) -> Result<Response<NoContent>> {
        self.call(operations::delete_crew_qualification(
            &qualification.text(),
        )?)
        .await
    }

    /// Qualification types.
    pub async fn qualification_types(
        &self,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<Response<List<QualificationType>>> {
        self.call(operations::list_qualification_types(
            limit.map(i64::from),
            offset,
        )?)
        .await
    }

    /// One qualification type (the 2.4.0 path, `/api/v2/qualification-types/{id}`).
    pub async fn qualification_type(&self, kind: &Id) -> Result<Response<QualificationType>> {
        self.call(operations::get_qualification_type(&kind.text())?)
            .await
    }
}
