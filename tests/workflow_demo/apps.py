from django.apps import AppConfig


class WorkflowDemoConfig(AppConfig):
    name = "tests.workflow_demo"
    label = "workflow_demo"
