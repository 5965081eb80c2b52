//! One handler per operation of `specs/fl3xx.yaml` (the generated `Handlers` trait: an
//! operation without one does not compile). Each picks the caller's operator, reads its path
//! parameters and calls the emulation of its area.

use super::routes::{Answer, Problem, Req, ok};
use super::{Operator, State, airports, crew, flights, fuel, v1, webhooks};
use crate::generated::fl3xx::Handlers;

impl State {
    /// The caller's operator.
    fn caller(&mut self, req: &Req<'_>) -> Result<&mut Operator, Problem> {
        self.operators
            .get_mut(req.operator)
            .ok_or_else(|| Problem::not_found("Unknown operator"))
    }

    /// A v1 read of the caller's operator.
    fn v1(&mut self, req: &Req<'_>, route: v1::Route) -> Answer {
        let operator = self.caller(req)?;
        v1::answer(operator, &route, &req.query, req.now)
    }
}

impl Handlers for State {
    type Call<'a> = Req<'a>;
    type Answer = Answer;

    fn get_airport(&mut self, req: &Req<'_>) -> Answer {
        airports::find(req.param("airportCode"))
            .map(|a| ok(&a.wire()))
            .unwrap_or_else(|| Err(Problem::not_found("Airport not found")))
    }

    fn get_fuel_prices(&mut self, req: &Req<'_>) -> Answer {
        fuel::list(self.caller(req)?, req.param("airportCode"))
    }

    fn put_fuel_price(&mut self, req: &Req<'_>) -> Answer {
        let operator = self.operators.get_mut(req.operator);
        let operator = operator.ok_or_else(|| Problem::not_found("Unknown operator"))?;
        fuel::put(
            operator,
            &mut self.next_fuel_price,
            req.param("airportCode"),
            req,
        )
    }

    fn delete_fuel_prices(&mut self, req: &Req<'_>) -> Answer {
        fuel::delete_airport(self.caller(req)?, req.param("airportCode"))
    }

    fn update_fuel_price(&mut self, req: &Req<'_>) -> Answer {
        fuel::update(self.caller(req)?, req.param("fuelPriceId"), req)
    }

    fn delete_fuel_prices_bulk(&mut self, req: &Req<'_>) -> Answer {
        fuel::delete_many(self.caller(req)?, req)
    }

    fn list_webhook_subscriptions(&mut self, req: &Req<'_>) -> Answer {
        webhooks::list(self.caller(req)?)
    }

    fn create_webhook_subscription(&mut self, req: &Req<'_>) -> Answer {
        let operator = self.operators.get_mut(req.operator);
        let operator = operator.ok_or_else(|| Problem::not_found("Unknown operator"))?;
        webhooks::create(operator, &mut self.next_subscription, req)
    }

    fn get_webhook_subscription(&mut self, req: &Req<'_>) -> Answer {
        webhooks::get(self.caller(req)?, req.param("subscriptionId"))
    }

    fn delete_webhook_subscription(&mut self, req: &Req<'_>) -> Answer {
        webhooks::delete(self.caller(req)?, req.param("subscriptionId"))
    }

    fn update_webhook_subscription(&mut self, req: &Req<'_>) -> Answer {
        webhooks::patch(self.caller(req)?, req.param("subscriptionId"), req)
    }

    fn renew_webhook_subscription(&mut self, req: &Req<'_>) -> Answer {
        webhooks::renew(self.caller(req)?, req.param("subscriptionId"), req.now)
    }

    fn list_flights(&mut self, req: &Req<'_>) -> Answer {
        flights::list(self.caller(req)?, &req.query)
    }

    fn get_flight_permits(&mut self, req: &Req<'_>) -> Answer {
        flights::permits(self.caller(req)?, req.param("flightId"))
    }

    fn get_flight_permit(&mut self, req: &Req<'_>) -> Answer {
        flights::permit_by_id(self.caller(req)?, req.param("flightPermitId"))
    }

    fn get_flight_slots_pprs(&mut self, req: &Req<'_>) -> Answer {
        flights::slots(self.caller(req)?, req.param("flightId"))
    }

    fn get_slot_ppr(&mut self, req: &Req<'_>) -> Answer {
        flights::slot_by_id(self.caller(req)?, req.param("slotPprId"))
    }

    fn list_crew_qualifications(&mut self, req: &Req<'_>) -> Answer {
        crew::list(self.caller(req)?, &req.query)
    }

    fn create_crew_qualification(&mut self, req: &Req<'_>) -> Answer {
        let operator = self.operators.get_mut(req.operator);
        let operator = operator.ok_or_else(|| Problem::not_found("Unknown operator"))?;
        crew::create(operator, &mut self.next_qualification, req)
    }

    fn get_crew_qualification(&mut self, req: &Req<'_>) -> Answer {
        crew::get(self.caller(req)?, req.param("crewQualificationId"))
    }

    fn delete_crew_qualification(&mut self, req: &Req<'_>) -> Answer {
        crew::delete(self.caller(req)?, req.param("crewQualificationId"))
    }

    fn update_crew_qualification(&mut self, req: &Req<'_>) -> Answer {
        crew::patch(self.caller(req)?, req.param("crewQualificationId"), req)
    }

    fn list_qualification_types(&mut self, req: &Req<'_>) -> Answer {
        crew::types(&req.query)
    }

    fn get_qualification_type(&mut self, req: &Req<'_>) -> Answer {
        crew::type_by_id(req.param("qualificationTypeId"))
    }

    fn v1_list_flights(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::Flights)
    }

    fn v1_get_flight(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::Flight(req.param("flightId").to_owned()))
    }

    fn v1_flight_crew(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::FlightCrew(req.param("flightId").to_owned()))
    }

    fn v1_list_crew(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::Crew)
    }

    fn v1_get_crew(&mut self, req: &Req<'_>) -> Answer {
        self.v1(
            req,
            v1::Route::CrewMember(req.param("reference").to_owned()),
        )
    }

    fn v1_list_aircraft(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::Aircraft)
    }

    fn v1_get_airport(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::Airport(req.param("airportCode").to_owned()))
    }

    fn v1_list_accounts(&mut self, req: &Req<'_>) -> Answer {
        self.v1(req, v1::Route::Accounts)
    }
}
