"""Adapters to AWS services other than DynamoDB (API Gateway, SSM)."""
