"""4me Timesheets response shapes (snake_case, as the reference documents them; `?fields=` may
leave any field out)."""

from typing import Optional, Union

from pydantic import BaseModel, ConfigDict


class PersonRef(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: Union[int, str]  # 4me's integer person id (dialects.fourme.ids)
    name: str


class FourmeTimesheet(BaseModel):
    model_config = ConfigDict(defer_build=True)
    person: Optional[PersonRef] = None
    workday: Optional[int] = None
    sum_time_spent: Optional[int] = None
    workdays: Optional[float] = None
    locked: Optional[bool] = None
    locked_days: Optional[str] = None


class FourmeIncompleteTimesheet(BaseModel):
    model_config = ConfigDict(defer_build=True)
    id: Optional[Union[int, str]] = None
    name: Optional[str] = None
    primary_email: Optional[str] = None
    completeness: Optional[int] = None
    remaining_time: Optional[int] = None
