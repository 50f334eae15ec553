/**
 * The policy pack CI and auditors run: `pulumi preview --policy-pack policy`; each stack's tier
 * comes from its own config (./tier.ts). Only constructs the pack (which starts a gRPC server at
 * once); the policies live in ./policies and the rules in ./rules.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("chatbot", { policies });
