package demo

import (
	"context"
	"fmt"

	"github.com/oneretail/oneretail/internal/audience"
)

// demoTags are the demo chain's own tags besides the computed ones the models write:
// rule tags over behaviour, and a manual and an imported tag for the operators.
var demoTags = []audience.TagInput{
	{Code: "frequent_buyer", Name: "高频顾客", Group: "行为", Kind: audience.TagRule, ValueType: audience.ValueBoolean,
		Expression: "orders(90d) >= 4", Description: "90 天内下单 4 次及以上"},
	{Code: "big_basket", Name: "大单顾客", Group: "行为", Kind: audience.TagRule, ValueType: audience.ValueBoolean,
		Expression: "avg_basket_fen:365d >= 15000", Description: "近一年客单价 150 元及以上"},
	{Code: "online_shopper", Name: "线上顾客", Group: "渠道", Kind: audience.TagRule, ValueType: audience.ValueBoolean,
		Expression: `channel:365d in ("mini_program", "app", "meituan", "eleme")`, Description: "近一年在小程序、App 或外卖平台下过单"},
	{Code: "baby_family", Name: "母婴家庭", Group: "偏好", Kind: audience.TagRule, ValueType: audience.ValueBoolean,
		Expression: `bought("21", 180d)`, Description: "半年内购买过母婴品类"},
	{Code: "vip_service", Name: "专属客服", Group: "服务", Kind: audience.TagManual, ValueType: audience.ValueBoolean,
		Description: "由门店或客服人工标记"},
	{Code: "community_group", Name: "社群", Group: "服务", Kind: audience.TagImported, ValueType: audience.ValueEnum,
		EnumValues: []string{"宝妈群", "生鲜团购群", "酒友会"}, Description: "从企业微信社群名单导入"},
}

// demoSegments are a dozen segments a marketer of the demo chain would keep.
var demoSegments = []audience.SegmentInput{
	{Code: "important_value", Name: "重要价值客户", Text: `tag:rfm_layer = "重要价值客户"`},
	{Code: "important_winback", Name: "重要挽留客户", Text: `tag:rfm_layer = "重要挽留客户"`},
	{Code: "new_30d", Name: "30 天新客", Text: `tag:lifecycle_stage = "新客户"`},
	{Code: "dormant", Name: "沉睡客户", Text: `tag:lifecycle_stage in ("沉睡客户", "流失客户")`},
	{Code: "churn_alert", Name: "流失预警", Text: `tag:churn_band in ("中", "高") or (tag:lifecycle_stage = "流失客户" and orders(all) >= 2)`,
		Description: "BG/NBD 流失风险中高，或已流失的回头客"},
	{Code: "lapsed_30d", Name: "30 天未回购的老客", Text: `did("order", 365d) >= 2 and not did("order", 30d)`},
	{Code: "dairy_shanghai", Name: "上海乳品顾客", Text: `city = "上海" and bought("12", 90d)`},
	{Code: "baby_families", Name: "母婴家庭", Text: `tag("baby_family")`},
	{Code: "online_big_basket", Name: "线上大单顾客", Text: `tag("online_shopper") and tag("big_basket")`},
	{Code: "women_25_34", Name: "25–34 岁女性", Text: `gender = "female" and age between 25 and 34`},
	{Code: "gold_and_above", Name: "金卡及以上会员", Text: `tier in ("GOLD", "DIAMOND")`},
	{Code: "valuable_not_recent", Name: "高价值但近期未到店", Text: `in_segment("important_value") and days_since(last_order_day) > 14`},
}

// audiences defines the demo's tags and segments and runs the customer models over
// the two years of orders, so that the console's audience pages have data at once.
// Tiers fill as the server delivers the orders' events to loyalty; the segments on
// tiers follow.
func (l *loader) audiences(ctx context.Context) error {
	l.progress("audiences", 0, 3)
	for _, in := range demoTags {
		if _, err := l.s.Audience.CreateTag(ctx, in); err != nil {
			return fmt.Errorf("demo: tag %s: %w", in.Code, err)
		}
	}
	l.progress("audiences", 1, 3)
	job, err := l.s.Audience.StartJob(ctx, audience.JobModels)
	if err != nil {
		return fmt.Errorf("demo: models: %w", err)
	}
	if _, err := l.s.Audience.RunDueJobs(ctx); err != nil {
		return fmt.Errorf("demo: models: %w", err)
	}
	if j, err := l.s.Audience.FindJobByID(ctx, job.ID); err != nil || j.Status != audience.JobDone {
		return fmt.Errorf("demo: models: job %s %s %s: %w", job.ID, j.Status, j.Error, err)
	}
	l.progress("audiences", 2, 3)
	for _, in := range demoSegments {
		if _, err := l.s.Audience.CreateSegment(ctx, in); err != nil {
			return fmt.Errorf("demo: segment %s: %w", in.Code, err)
		}
	}
	l.progress("audiences", 3, 3)
	return nil
}
