from ninja import Router

router = Router(tags=["职工医保缴费"])
