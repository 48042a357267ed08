from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from yibao.access.roles import Role, ScopeKind, scope_kind


class User(AbstractUser):
    """A person who signs in. ``username`` is the 单位编号 for unit operators and the identity
    number for individuals; staff accounts have an ordinary user name. A unit operator's link to
    its unit lives with the units (``employer.UnitOperator``): accounts know no domain model."""

    role = models.CharField("角色", max_length=20, choices=Role.choices)
    full_name = models.CharField("姓名", max_length=100, blank=True)
    division = models.ForeignKey("regions.Division", verbose_name="管辖区划", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    # an account opened with a one-time password (开户 by an agency clerk): every page sends it to
    # the change-password page, every API call answers 403 password_change_required, until changed
    must_change_password = models.BooleanField("须修改初始密码", default=False)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        constraints = [
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    models.Q(role=Role.ADMIN)
                    | models.Q(role=Role.UNIT_OPERATOR)
                    | (models.Q(role=Role.INDIVIDUAL) & ~models.Q(id_number=""))
                    | (~models.Q(role__in=[Role.ADMIN, Role.UNIT_OPERATOR, Role.INDIVIDUAL])
                       & models.Q(division__isnull=False))
                ),
            ),
        ]

    @property
    def scope_kind(self) -> str:
        return scope_kind(self.role)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"




class SignInFailures(models.Model):
    """Failed sign-ins counted per account name and per source address (``key`` is
    ``account:<NAME>`` or ``address:<IP>``), in the database so that every server process and
    thread counts on the same row (see ``yibao.accounts.throttle``)."""

    key = models.CharField("计数对象", max_length=200, primary_key=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    window_ends = models.DateTimeField("计数截止时间", db_index=True)

    class Meta:
        verbose_name = "登录失败计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


__all__ = ["SignInFailures", "User", "ScopeKind"]
