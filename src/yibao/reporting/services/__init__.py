"""The reports' writes and documents: the weekly report (周报) and its Friday job, the monthly
bulletin (月通报), the counties' weekly submissions (一周一上报)."""
