"""Console forms (Flask-WTF: every form carries a CSRF token). Labels are Chinese-first."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from starqr.services.accounts import MIN_PASSWORD_LENGTH
from starqr.views.console.helpers import choices as _choices
from starqr.views.console.names import STATUS_NAMES

IMAGES = FileAllowed(["jpg", "jpeg", "png", "webp"], _l("只能上传图片"))


def required(max_length):
    """Validators of a text that must be given, up to MAX_LENGTH characters."""
    return [DataRequired(), Length(max=max_length)]


def optional(max_length):
    """Validators of a text that may be left empty, up to MAX_LENGTH characters."""
    return [Optional(), Length(max=max_length)]


def date_field(label, required=False):
    """A date (the browser's date picker): one that must be given when REQUIRED, else optional."""
    return DateField(label, validators=[DataRequired() if required else Optional()])


def dated_entry(date_label, text_field, text_label, max_length, submit_label):
    """The fields of a form that records what happened on a day, in this order: the day
    (required), a required TEXT_FIELD of up to MAX_LENGTH characters, the button. The form
    unpacks them into its own names (what the page posts)."""
    day = date_field(date_label, required=True)  # made first: WTForms orders fields as they are made
    return day, text_field(text_label, validators=required(max_length)), SubmitField(submit_label)


def year_field(label):
    """A year a period or a commitment belongs to."""
    return IntegerField(label, validators=[DataRequired(), NumberRange(min=2000, max=2100)])


# ---------------------------------------------------------------- accounts


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        validators=required(60),
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(_l("密码"), validators=required(200), render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("登录"))


class PasswordChangeForm(FlaskForm):
    old_password = PasswordField(
        _l("当前密码"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("新密码"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("两次输入的新密码不一致"))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("修改密码"))


class ConfirmForm(FlaskForm):
    """A form with only a CSRF token and a button: log-out, and other one-click POSTs."""

    submit = SubmitField(_l("确定"))


# ---------------------------------------------------------------- branch and members

CATEGORY_CHOICES = _choices(
    [("backbone", _l("骨干")), ("ordinary", _l("普通")), ("mobile", _l("流动")), ("special", _l("特殊（年老或患病）"))]
)
STATUS_CHOICES = _choices([("full", _l("正式党员")), ("probationary", _l("预备党员"))])
OCCUPATION_CHOICES = _choices(
    [("", _l("（未填）")), ("employed", _l("在职")), ("farmer_herder", _l("农牧民")), ("retired", _l("离退休"))]
)
GENDER_CHOICES = _choices([("", _l("（未填）")), ("男", _l("男")), ("女", _l("女"))])


class BranchForm(FlaskForm):
    secretary_name = StringField(_l("支部书记"), validators=optional(60))
    venue_area_m2 = DecimalField(
        _l("活动场所面积（平方米）"), places=1, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    venue_address = StringField(_l("活动场所地址"), validators=optional(255))
    office_phone = StringField(_l("办公电话（公开）"), validators=optional(40))
    feature_projects = TextAreaField(_l("特色品牌项目（每行一项）"), validators=optional(2000))
    submit = SubmitField(_l("保存"))


class MemberForm(FlaskForm):
    name_zh = StringField(_l("姓名"), validators=required(60))
    name_mn = StringField(_l("蒙古文姓名"), validators=optional(160))
    gender = SelectField(_l("性别"), choices=GENDER_CHOICES, validators=[Optional()])
    ethnicity = StringField(_l("民族"), validators=optional(20))
    category = SelectField(_l("党员类别"), choices=CATEGORY_CHOICES)
    status = SelectField(_l("党员状态"), choices=STATUS_CHOICES)
    occupation = SelectField(_l("职业"), choices=OCCUPATION_CHOICES, validators=[Optional()])
    joined_on = date_field(_l("入党时间"))
    full_member_on = date_field(_l("转正时间（党龄自转正之日算起）"))
    party_post = StringField(_l("党内职务"), validators=optional(60))
    honours = TextAreaField(_l("荣誉（每行一项）"), validators=optional(2000))
    volunteer_service = TextAreaField(_l("志愿服务（每行一项）"), validators=optional(2000))
    volunteer_hours = IntegerField(
        _l("志愿服务时长（小时）"), default=0, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    exempt = BooleanField(_l("免于评星（年满70岁或长期患病，本人申请）"))
    # Private: never shown on public pages.
    phone = StringField(_l("手机号（不公开）"), validators=optional(20))
    id_number = StringField(_l("身份证号（不公开）"), validators=optional(18))
    home_address = StringField(_l("家庭住址（不公开）"), validators=optional(255))
    birth_date = date_field(_l("出生日期（不公开）"))
    submit = SubmitField(_l("保存"))


class TransferForm(FlaskForm):
    branch = SelectField(_l("转入支部"), coerce=int)
    reason = StringField(_l("转接原因"), validators=required(120))
    submit = SubmitField(_l("办理转接"))


class RetireForm(FlaskForm):
    left_on, reason, submit = dated_entry(
        _l("离开日期"), StringField, _l("原因（如：去世、出党、组织关系转出本旗）"), 120, _l("移出名册")
    )


class PostForm(FlaskForm):
    title = StringField(_l("岗位名称"), validators=required(60))
    duties = TextAreaField(_l("岗位职责"), validators=required(2000))
    since = date_field(_l("设岗时间"))
    active = BooleanField(_l("在岗"), default=True)
    submit = SubmitField(_l("保存"))


# ---------------------------------------------------------------- commitments

COMMITMENT_STATUS_CHOICES = _choices(STATUS_NAMES.items())


class CommitmentForm(FlaskForm):
    year = year_field(_l("年度"))
    text = TextAreaField(_l("承诺内容"), validators=required(1000))
    deadline = date_field(_l("完成时限"))
    submit = SubmitField(_l("保存"))


class ProgressForm(FlaskForm):
    date, text, submit = dated_entry(_l("日期"), TextAreaField, _l("进展情况"), 1000, _l("添加进展"))


class EvidenceForm(FlaskForm):
    photo = FileField(_l("佐证照片（JPEG/PNG/WebP，不超过8MB）"), validators=[FileRequired(), IMAGES])
    caption = StringField(_l("说明"), validators=optional(200))
    submit = SubmitField(_l("上传"))


class OutcomeForm(FlaskForm):
    status = SelectField(_l("践诺状态"), choices=COMMITMENT_STATUS_CHOICES)
    evaluation = TextAreaField(_l("评价"), validators=optional(1000))
    reason_not_kept = TextAreaField(_l("未践诺原因（公开显示）"), validators=optional(1000))
    reason_public = BooleanField(_l("原因可以在扫码页公开（不含病情、家庭等个人情况）"), default=False)
    submit = SubmitField(_l("保存结果"))


# ---------------------------------------------------------------- points


class PointsForm(FlaskForm):
    """No item is chosen for the secretary; only the fields the chosen item's kind needs are used."""

    period = SelectField(_l("评星周期"), coerce=int)
    item = SelectField(_l("积分项目"), validate_choice=False, validators=[DataRequired(message=_l("请选择积分项目"))])
    count = IntegerField(
        _l("次数"), default=1, validators=[Optional(), NumberRange(min=1, max=50)], render_kw={"inputmode": "numeric"}
    )
    value = DecimalField(_l("数值"), places=2, validators=[Optional()], render_kw={"inputmode": "decimal"})
    veto_confirmed = BooleanField(_l("我已核实，确认记录否决项"))
    replace_confirmed = BooleanField(_l("确认替换现值（取值类项目以最新一次记录为准，不会相加）"))
    occurred_on = date_field(_l("发生日期"))
    reason = TextAreaField(_l("事由"), validators=required(500))
    public_reason = BooleanField(_l("事由在扫码页公开"), default=False)
    evidence = StringField(_l("佐证（文字说明）"), validators=optional(500))
    photo = FileField(
        _l("佐证照片（可用手机拍照）"),
        validators=[Optional(), IMAGES],
        render_kw={"accept": "image/*", "capture": "environment"},
    )
    photo_public = BooleanField(_l("照片在扫码页公开"), default=False)
    submit = SubmitField(_l("记录积分"))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(_l("更正原因"), validators=required(500))
    new_points = DecimalField(_l("正确分值（留空则只冲销原记录）"), places=2, validators=[Optional()])
    submit = SubmitField(_l("冲销更正"))


# ---------------------------------------------------------------- administrators: rubrics and periods


class RubricUploadForm(FlaskForm):
    text = TextAreaField(_l("评分标准文件内容(YAML)"), validators=[Optional(), Length(max=200_000)])
    file = FileField(_l("或上传 YAML 文件"))
    period = SelectField(_l("预览所用评定期"), coerce=int, validate_choice=False)
    preview = SubmitField(_l("预览星级变化"))
    save = SubmitField(_l("保存为新版本"))


class PeriodForm(FlaskForm):
    name = StringField(_l("名称"), validators=required(60), render_kw={"placeholder": "2026年度"})
    kind = SelectField(_l("类型"), choices=_choices([("year", _l("年度")), ("quarter", _l("季度"))]))
    year = year_field(_l("年份"))
    quarter = IntegerField(_l("季度(1–4,年度可空)"), validators=[Optional(), NumberRange(min=1, max=4)])
    starts_on = date_field(_l("开始日期"), required=True)
    ends_on = date_field(_l("结束日期"), required=True)
    notice_days = IntegerField(_l("公示天数"), default=5, validators=[DataRequired(), NumberRange(min=1, max=60)])
    submit = SubmitField(_l("新建评定期"))


class ScheduleForm(FlaskForm):
    publish_date = date_field(_l("发布日期(北京时间)"), required=True)
    publish_time = StringField(
        _l("发布时间(北京时间,如 09:00)"),
        validators=required(5),
        default="09:00",
        render_kw={"type": "time"},
    )
    notice_days = IntegerField(_l("公示天数"), validators=[DataRequired(), NumberRange(min=1, max=60)])
    submit = SubmitField(_l("安排发布"))


ActionForm = ConfirmForm  # one-click POSTs on administrators' pages


# ---------------------------------------------------------------- administrators: objections, plaques, tokens


class ResolveForm(FlaskForm):
    """No verdict is preselected; either verdict needs its reason."""

    decision = RadioField(
        _l("处理结果"),
        choices=_choices([("reject", _l("驳回（理由在扫码页公开）")), ("accept", _l("采纳（登记更正并重新评定）"))]),
        validators=[DataRequired(message=_l("请选择处理结果"))],
    )
    reason = TextAreaField(
        _l("理由"), validators=[DataRequired(message=_l("请填写理由，采纳和驳回都需要")), Length(max=1000)]
    )
    item = SelectField(_l("更正项目（采纳时可选）"), validate_choice=False)
    points = DecimalField(
        _l("调整分值（采纳时可选，可为负）"), places=2, validators=[Optional(), NumberRange(min=-100, max=100)]
    )
    submit = SubmitField(_l("提交"))


class PlaqueActionForm(FlaskForm):
    action = SelectField(
        _l("操作"), choices=_choices([("reissue", _l("补发(旧码作废并指向新码)")), ("revoke", _l("作废(不补发)"))])
    )
    reason = StringField(_l("原因"), validators=required(200))
    submit = SubmitField(_l("确定"))


class TokenForm(FlaskForm):
    name = StringField(_l("用途"), validators=required(60), render_kw={"placeholder": "导入脚本"})
    submit = SubmitField(_l("生成令牌"))


# ---------------------------------------------------------------- 比武争星 contests


class ContestForm(FlaskForm):
    name = StringField(
        _l("名称"),
        validators=required(120),
        render_kw={"placeholder": "海流图镇2026年比武争星拉练观摩"},
    )
    held_on = date_field(_l("举行日期"))
    sheet = SelectField(_l("评分表"))
    branches = SelectMultipleField(
        _l("参赛支部"),
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("创建"))


class JudgeUserForm(FlaskForm):
    username = StringField(_l("控制台用户名"), validators=required(60))
    submit = SubmitField(_l("添加为评委"))


class JudgeLinkForm(FlaskForm):
    name = StringField(_l("评委姓名"), validators=required(60))
    organisation = SelectField(_l("评委所在支部（不能给本支部打分）"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("生成一次性评分链接"))


class CloseContestForm(FlaskForm):
    award_item = SelectField(_l("把名次记入台账（可选）"), validate_choice=False)
    award_top = IntegerField(_l("前几名记加分"), default=0, validators=[Optional(), NumberRange(min=0, max=50)])
    submit = SubmitField(_l("结束评分并公布排名"))
