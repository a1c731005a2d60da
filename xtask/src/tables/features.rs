//! Which cargo feature each top-level area of the catalog belongs to.

/// A cargo feature of `wxpay-apis`: its name, a one-line description, and the
/// top-level path areas (first segment after `v3/`, or `hk` / `global` for
/// `hk/v3/...` and `global/v3/...`) it turns on.
pub struct Feature {
    pub name: &'static str,
    pub doc: &'static str,
    pub areas: &'static [&'static str],
}

/// Areas with about eight or more operations have a feature of their own,
/// named after the area; the smaller ones are grouped by business. Every
/// area of the catalog must appear exactly once (the generator checks).
pub const FEATURES: &[Feature] = &[
    Feature {
        name: "pay",
        doc: "基础支付: payments (JSAPI, APP, H5, Native, mini program), combined payments, bills",
        areas: &["pay", "combine-transactions", "bill", "billdownload"],
    },
    Feature {
        name: "refund",
        doc: "基础支付∙退款: domestic refunds",
        areas: &["refund"],
    },
    Feature {
        name: "profitsharing",
        doc: "资金应用∙分账: profit sharing",
        areas: &["profitsharing"],
    },
    Feature {
        name: "ecommerce",
        doc: "收付通: the e-commerce platform product, its withdrawals, abnormal funds and outbound funds",
        areas: &[
            "ecommerce",
            "mch_operate",
            "abnormal-fund-processing",
            "funds-to-oversea",
        ],
    },
    Feature {
        name: "marketing",
        doc: "营销工具 / 运营工具: coupons, member cards, activities, consumption gold",
        areas: &["marketing", "industry-coupon", "multiuse"],
    },
    Feature {
        name: "payscore",
        doc: "支付分: WeChat Pay Score services and the discount card (先享卡)",
        areas: &["payscore", "discount-card"],
    },
    Feature {
        name: "global",
        doc: "跨境: cross-border payments (`v3/global/...` and `global/v3/...`)",
        areas: &["global"],
    },
    Feature {
        name: "hk",
        doc: "跨境 (香港): `hk/v3/...`",
        areas: &["hk"],
    },
    Feature {
        name: "platsolution",
        doc: "平台解决方案: platform solutions",
        areas: &["platsolution"],
    },
    Feature {
        name: "brand",
        doc: "品牌 / 商家名片: brands, brand stores, member cards",
        areas: &["brand", "brand-basic"],
    },
    Feature {
        name: "fund-app",
        doc: "资金应用: merchant transfers, brand red packets",
        areas: &["fund-app"],
    },
    Feature {
        name: "papay",
        doc: "委托代扣: entrusted (contract) payments",
        areas: &["papay", "partner-papay"],
    },
    Feature {
        name: "gov",
        doc: "国补专区: government subsidies",
        areas: &["gov"],
    },
    Feature {
        name: "new-tax-control-fapiao",
        doc: "电子发票: e-invoices (fapiao)",
        areas: &["new-tax-control-fapiao"],
    },
    Feature {
        name: "taxi-invoice",
        doc: "出租车电子发票: taxi e-invoices",
        areas: &["taxi-invoice"],
    },
    Feature {
        name: "merchant-service",
        doc: "风险合规∙消费者投诉: consumer complaints",
        areas: &["merchant-service"],
    },
    Feature {
        name: "webizpay",
        doc: "企业支付: enterprise payments",
        areas: &["webizpay"],
    },
    Feature {
        name: "aggracct-bc",
        doc: "渠道服务: channel accounts",
        areas: &["aggracct-bc"],
    },
    Feature {
        name: "parking",
        doc: "停车缴费服务: parking fees",
        areas: &["parking"],
    },
    Feature {
        name: "vehicle",
        doc: "ETC授权扣费 / 支付分停车: vehicle (ETC, parking) deductions",
        areas: &["vehicle"],
    },
    Feature {
        name: "password-exempt-contract",
        doc: "免密支付: password-free payment contracts",
        areas: &["password-exempt-contract"],
    },
    Feature {
        name: "payroll-card",
        doc: "运营工具∙用工卡: payroll card",
        areas: &["payroll-card"],
    },
    Feature {
        name: "merchant",
        doc: "商户资金: balances and withdrawals (`v3/merchant/...`)",
        areas: &["merchant"],
    },
    Feature {
        name: "repayment",
        doc: "自动还款 / 还款支付: credit card repayment",
        areas: &["credit-repayment", "repayment"],
    },
    Feature {
        name: "education",
        doc: "教育续费通 / 校园轻松付 / 学生卡: education payments",
        areas: &["edu-papay", "eduschoolpay", "edu-star"],
    },
    Feature {
        name: "face-pay",
        doc: "刷脸支付 / 微信刷掌: face and palm payments, IoT devices",
        areas: &[
            "offlineface",
            "offlinefacemch",
            "facemch",
            "iotmanage",
            "palmservice",
        ],
    },
    Feature {
        name: "transfer",
        doc: "资金应用∙转账: batch and bank transfers, receipts, income records, recharges",
        areas: &[
            "transfer",
            "bank-transfer",
            "partner-transfer",
            "bank-batch-transfer",
            "transfer-detail",
            "transferdownload",
            "merchantfund",
            "recharge",
        ],
    },
    Feature {
        name: "onboarding",
        doc: "进件与商户资料: sub-merchant applications, settlement accounts, super-admin changes, fee-rate activities",
        areas: &[
            "applyment4sub",
            "apply4sub",
            "apply4subject",
            "mchalterapply",
            "merchant-settlement",
            "rate-activity",
        ],
    },
    Feature {
        name: "risk",
        doc: "风险合规 / 风险管理: risk notices, merchant management records, due diligence, transaction blocks",
        areas: &[
            "merchant-risk-manage",
            "compliance",
            "mch-manage",
            "mch-operation-manage",
            "transaction-block",
        ],
    },
    Feature {
        name: "business-tools",
        doc: "经营工具: stores, gold plan, business circles, smart guides, pay devices, catering",
        areas: &[
            "merchant-store",
            "goldplan",
            "businesscircle",
            "smartguide",
            "pay-devices",
            "industry-rebate",
            "catering",
        ],
    },
    Feature {
        name: "industry",
        doc: "行业方案: e-bikes, insurance policies, medical insurance, power banks, charity meals, transit QR codes, express",
        areas: &[
            "ebike",
            "inspolicymgr",
            "med-ins",
            "hire-power-bank",
            "lovefeast",
            "qrcode",
            "express",
        ],
    },
    Feature {
        name: "common",
        doc: "通用接口: platform certificates, bank and region lookups, real-name check, signature echo test",
        areas: &["certificates", "capital", "realname", "security", "webhooks"],
    },
];
