"""Step Functions in the local runtime: the template's state machines, run as written.

``definition`` loads an Amazon States Language document (refusing what it cannot run),
``interpreter`` advances one execution, ``engine`` runs many on one timer thread and a few
workers, ``provisioning`` makes `AWS::Serverless::StateMachine` resources, and
``moto_executions`` + ``service`` connect boto3's StartExecution (answered by moto) to the
engine and the template's functions.
"""
