from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(label="账号", max_length=60,
                               help_text="单位经办人填写单位编号，个人填写身份证号码，工作人员填写用户名。")
    password = forms.CharField(label="密码", widget=forms.PasswordInput, max_length=128)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput, max_length=128)
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput, max_length=128,
                                   help_text="至少 8 位，不能全为数字，不能是常见密码，不能与账号信息相近。")
    confirm_password = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput, max_length=128)


class AuditSearchForm(forms.Form):
    q = forms.CharField(label="关键字", required=False, max_length=100)
    action = forms.CharField(label="操作", required=False, max_length=80)
    object_type = forms.CharField(label="对象类型", required=False, max_length=80)
    actor = forms.CharField(label="操作人", required=False, max_length=150)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
