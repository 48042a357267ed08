"""Audit cases (稽核): the self-inspection list of 潍坊 三(二), the risk flags of 聊城 五, and each
case from opening to its findings, with the bases it corrects."""
