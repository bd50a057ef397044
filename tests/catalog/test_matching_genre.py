"""Matching the live library against targets worded the way bureau plans word them.

Every wording below is invented in the habits of county, city and province 工作要点 of 2011–2025
(scope words, leaked verbs and comparators, abbreviations, stage spellings, units as written);
none is copied from a document. Positives name the library indicator the target measures;
negatives are plan targets that no library indicator measures, or look-alikes of one, and may
never be taken for a wrong indicator. A target is taken as ``planlib init`` takes it: exact or
likely, or uncertain among close candidates (候选接近) at a score of at least LIKELY.
"""

from __future__ import annotations

import pytest

from planlib.catalog.definitions import IndicatorSet, load_indicators
from planlib.catalog.matching import LIKELY, Match, match_target
from planlib.resources import data_dir

PCT, PTS = "%", "个百分点"

POSITIVES: list[tuple[str, str, str]] = [
    # 学前教育
    ("全县学前三年毛入园率达到", PCT, "preschool_gross_enrolment_rate"),
    ("学前教育毛入园率稳定在", PCT, "preschool_gross_enrolment_rate"),
    ("全州學前三年毛入園率", PCT, "preschool_gross_enrolment_rate"),
    ("普惠性幼儿园覆盖率达到", PCT, "inclusive_kindergarten_share"),
    ("普惠率", PCT, "inclusive_kindergarten_share"),
    ("我县普惠性幼儿园在园幼儿占比保持在", PCT, "inclusive_kindergarten_share"),
    ("公办园在园幼儿占比达到", PCT, "public_kindergarten_share"),
    ("全区公办幼儿园在园幼儿比例力争达到", PCT, "public_kindergarten_share"),
    ("公办园在园幼儿比例较上年提高", PTS, "public_kindergarten_share"),
    ("幼儿园专任教师专科以上学历比例达到", PCT, "kindergarten_teacher_college_share"),
    ("幼儿园教师专科及以上学历占比", PCT, "kindergarten_teacher_college_share"),
    ("幼儿园生师比", "", "kindergarten_pupil_teacher_ratio"),
    ("全市幼儿园师幼比", "", "kindergarten_pupil_teacher_ratio"),
    ("幼儿园教师持证上岗率", PCT, "kindergarten_staff_certified_rate"),
    ("幼儿园园长、专任教师持证上岗率达到", PCT, "kindergarten_staff_certified_rate"),
    ("幼儿园班额达标率", PCT, "kindergarten_class_size_compliance"),
    ("每千人口拥有3岁以下婴幼儿托位数达到", "个", "childcare_places_per_thousand"),
    ("每千人口托位数", "个", "childcare_places_per_thousand"),
    ("新增公办幼儿园学位", "个", "new_public_kindergarten_places"),
    ("全年新增公办学前教育学位", "个", "new_public_kindergarten_places"),
    ("新建、改扩建公办幼儿园", "所", "kindergartens_built"),
    ("全县新建改扩建公办幼儿园", "所", "kindergartens_built"),
    ("普惠性民办幼儿园占民办幼儿园比例", PCT, "inclusive_private_kindergarten_share"),
    ("普惠性民办园占比不低于", PCT, "inclusive_private_kindergarten_share"),
    ("优质园覆盖率达到", PCT, "quality_kindergarten_coverage"),
    ("等级幼儿园在园幼儿比例", PCT, "quality_kindergarten_coverage"),
    ("乡镇公办中心幼儿园覆盖率", PCT, "town_public_kindergarten_coverage"),
    ("乡镇公办中心园覆盖率保持", PCT, "town_public_kindergarten_coverage"),
    # 义务教育
    ("义务教育适龄儿童少年入学率保持", PCT, "compulsory_enrolment_rate"),
    ("全市义务教育入学率达到", PCT, "compulsory_enrolment_rate"),
    ("九年义务教育巩固率达到", PCT, "compulsory_retention_rate"),
    ("义务教育巩固率稳定在", PCT, "compulsory_retention_rate"),
    ("全盟九年义务教育巩固率较上年提高", PTS, "compulsory_retention_rate"),
    ("义务教育标准化学校达标率", PCT, "standardized_school_coverage"),
    ("各县（市、区）义务教育标准化学校覆盖率", PCT, "standardized_school_coverage"),
    ("民办义务教育在校生占比控制在", PCT, "private_compulsory_share"),
    ("民办义务教育在校生比例不超过", PCT, "private_compulsory_share"),
    ("适龄残疾儿童少年入学率达到", PCT, "disabled_placement_rate"),
    ("残疾儿童少年义务教育入学率", PCT, "disabled_placement_rate"),
    ("全县适龄残疾儿童少年入学（安置）率保持在", PCT, "disabled_placement_rate"),
    ("小学适龄儿童净入学率保持在", PCT, "primary_net_enrolment_rate"),
    ("小学净入学率达", PCT, "primary_net_enrolment_rate"),
    ("小学适龄儿童入学率保持在", PCT, "primary_net_enrolment_rate"),
    ("初中净入学率", PCT, "junior_net_enrolment_rate"),
    ("初中适龄少年净入学率达到", PCT, "junior_net_enrolment_rate"),
    ("初中阶段毛入学率", PCT, "junior_gross_enrolment_rate"),
    ("初中毛入学率保持在", PCT, "junior_gross_enrolment_rate"),
    ("义务教育大班额比例控制在", PCT, "compulsory_large_class_share"),
    ("大班额比例", PCT, "compulsory_large_class_share"),
    ("全县义务教育学校大班额占比降至", PCT, "compulsory_large_class_share"),
    ("义务教育超大班额数", "个", "compulsory_super_large_classes"),
    ("超大班额", "个", "compulsory_super_large_classes"),
    ("随迁子女在公办学校就读比例", PCT, "migrant_public_school_share"),
    (
        "进城务工人员随迁子女在公办学校和政府购买服务的民办学校就读比例",
        PCT,
        "migrant_public_school_share",
    ),
    ("课后服务覆盖率", PCT, "after_school_school_coverage"),
    ("义务教育学校课后服务覆盖面", PCT, "after_school_school_coverage"),
    ("全区义务教育学校课后服务覆盖率保持", PCT, "after_school_school_coverage"),
    ("学生课后服务参与率", PCT, "after_school_participation"),
    ("课后服务学生参与率达到", PCT, "after_school_participation"),
    ("乡镇寄宿制学校达标率", PCT, "boarding_school_compliance"),
    ("寄宿制学校办学条件达标率达到", PCT, "boarding_school_compliance"),
    ("义务教育阶段辍学学生", "人", "compulsory_dropouts"),
    ("辍学学生数控制在", "名", "compulsory_dropouts"),
    ("新增义务教育学位", "个", "new_compulsory_places"),
    ("新增中小学学位", "个", "new_compulsory_places"),
    ("全年新增义务教育阶段学位", "个", "new_compulsory_places"),
    ("新建、改扩建中小学校", "所", "schools_built"),
    ("新建改扩建学校", "所", "schools_built"),
    ("义务教育免试就近入学比例", PCT, "nearby_admission_rate"),
    ("免试就近入学率保持", PCT, "nearby_admission_rate"),
    ("小学校际综合差异系数", "", "primary_cv_composite"),
    ("小学综合差异系数不高于", "", "primary_cv_composite"),
    ("初中综合差异系数", "", "junior_cv_composite"),
    ("初中校际综合差异系数控制在", "", "junior_cv_composite"),
    # 高中阶段、职业教育、高等教育
    ("高中阶段毛入学率达到", PCT, "high_school_gross_enrolment_rate"),
    ("全市高中阶段教育毛入学率稳定在", PCT, "high_school_gross_enrolment_rate"),
    ("高中阶段毛入学率较上年提高", PTS, "high_school_gross_enrolment_rate"),
    ("省级示范性普通高中", "所", "provincial_model_high_schools"),
    ("省级示范性高中达到", "所", "provincial_model_high_schools"),
    ("普通高中大班额比例", PCT, "high_school_large_class_share"),
    ("普高大班额比例控制在", PCT, "high_school_large_class_share"),
    ("普通高中专任教师研究生学历比例", PCT, "high_school_teacher_postgrad_share"),
    ("普高教师研究生学历占比", PCT, "high_school_teacher_postgrad_share"),
    ("普通高中生师比", "", "high_school_pupil_teacher_ratio"),
    ("普通高中生均一般公共预算教育支出", "元", "high_school_budget_per_student"),
    ("公办中职学校标准化率", PCT, "public_vocational_standardization_rate"),
    ("公办中等职业学校标准化率达到", PCT, "public_vocational_standardization_rate"),
    ("中职招生占高中阶段招生比例", PCT, "vocational_intake_share"),
    ("中等职业教育招生占高中阶段教育招生比例", PCT, "vocational_intake_share"),
    ("中职招生", "人", "vocational_intake"),
    ("全年中等职业学校招生", "人", "vocational_intake"),
    ("中职学生巩固率", PCT, "vocational_retention_rate"),
    ("中等职业学校学生巩固率达到", PCT, "vocational_retention_rate"),
    ("双师型教师占比", PCT, "dual_qualified_teacher_share"),
    ("中职学校“双师型”教师比例", PCT, "dual_qualified_teacher_share"),
    ("职业学校双师型教师占专业课教师比例达到", PCT, "dual_qualified_teacher_share"),
    ("中职毕业生就业率", PCT, "vocational_employment_rate"),
    ("中等职业学校毕业生就业率保持在", PCT, "vocational_employment_rate"),
    ("中职毕业生升学率", PCT, "vocational_further_study_rate"),
    ("中职学校生师比", "", "vocational_pupil_teacher_ratio"),
    ("高等教育毛入学率达到", PCT, "higher_education_gross_enrolment_rate"),
    ("全省高等教育毛入学率提高", PTS, "higher_education_gross_enrolment_rate"),
    ("普通高校在校生", "人", "higher_education_enrolment"),
    ("本科高校", "所", "undergraduate_institutions"),
    # 特殊教育
    ("特殊教育学校", "所", "special_education_schools"),
    ("送教上门服务学生", "人", "home_delivered_education"),
    ("特殊教育资源教室", "间", "resource_rooms"),
    ("融合教育资源教室", "个", "resource_rooms"),
    # 教师队伍
    ("新增教师编制", "名", "new_teacher_posts"),
    ("补充教师", "人", "teachers_recruited"),
    ("全年补充师资", "名", "teachers_recruited"),
    ("新补充教师", "人", "teachers_recruited"),
    ("小学专任教师本科以上学历比例", PCT, "primary_teacher_bachelor_share"),
    ("小学教师本科学历占比", PCT, "primary_teacher_bachelor_share"),
    ("全县小学专任教师本科及以上学历的比例达到", PCT, "primary_teacher_bachelor_share"),
    ("初中专任教师本科及以上学历比例达到", PCT, "junior_teacher_bachelor_share"),
    ("初中教师本科学历比例", PCT, "junior_teacher_bachelor_share"),
    ("小学生师比", "", "primary_pupil_teacher_ratio"),
    ("初中生师比", "", "junior_pupil_teacher_ratio"),
    ("乡村教师本科以上学历比例", PCT, "rural_teacher_bachelor_share"),
    ("乡村学校专任教师本科及以上学历占比", PCT, "rural_teacher_bachelor_share"),
    ("中小学高级职称教师比例", PCT, "senior_title_teacher_share"),
    ("中小学专任教师高级职称比例达到", PCT, "senior_title_teacher_share"),
    ("教师培训", "人次", "teacher_training"),
    ("全年培训教师", "人次", "teacher_training"),
    ("中小学教师培训", "人次", "teacher_training"),
    ("义务教育教师交流轮岗比例", PCT, "teacher_rotation_share"),
    ("校长教师交流轮岗比例不低于", PCT, "teacher_rotation_share"),
    ("骨干教师占比", PCT, "key_teacher_share"),
    ("县级以上骨干教师比例达到", PCT, "key_teacher_share"),
    ("教师信息技术应用能力提升工程2.0培训完成率", PCT, "teacher_it_training_rate"),
    ("专职心理健康教育教师配备率", PCT, "psych_teacher_coverage"),
    ("中小学心理健康教育专职教师配备率", PCT, "psych_teacher_coverage"),
    ("高校专职思政课教师配备达标率", PCT, "ideology_teacher_staffing_rate"),
    # 教育经费
    ("一般公共预算教育支出", "亿元", "education_budget"),
    ("全市财政教育投入", "亿元", "education_budget"),
    ("一般公共预算教育经费投入", "万元", "education_budget"),
    ("教育支出占一般公共预算支出比例", PCT, "education_budget_share"),
    ("一般公共预算教育支出占一般公共预算支出的比例", PCT, "education_budget_share"),
    ("小学生均一般公共预算教育经费", "元", "primary_budget_per_student"),
    ("初中生均一般公共预算教育支出", "元", "junior_budget_per_student"),
    ("义务教育生均公用经费", "元", "compulsory_public_funds_per_student"),
    ("义务教育学校生均公用经费拨款", "元", "compulsory_public_funds_per_student"),
    ("教育费附加和地方教育附加", "万元", "education_surcharge"),
    ("教育费附加", "亿元", "education_surcharge"),
    ("学前教育经费占比", PCT, "preschool_budget_share"),
    ("学前教育财政投入占财政性教育经费比例", PCT, "preschool_budget_share"),
    ("公办园生均财政拨款", "元", "public_kindergarten_funding_per_child"),
    ("公办幼儿园生均拨款", "元", "public_kindergarten_funding_per_child"),
    # 办学条件、信息化
    ("生均校舍建筑面积", "平方米", "building_area_per_student"),
    ("义务教育学校生均体育运动场馆面积", "平方米", "sports_area_per_student"),
    ("生均教学仪器设备值", "元", "equipment_value_per_student"),
    ("生均图书", "册", "books_per_student"),
    ("新建校舍面积", "万平方米", "new_building_area"),
    ("新建校舍", "平方米", "new_building_area"),
    ("校舍危房改造面积", "万平方米", "dilapidated_renovated_area"),
    ("学校食堂明厨亮灶覆盖率", PCT, "canteen_open_kitchen_coverage"),
    ("“明厨亮灶”覆盖率", PCT, "canteen_open_kitchen_coverage"),
    ("一键式紧急报警装置联网率", PCT, "emergency_alarm_linked_rate"),
    ("中小学互联网接入率", PCT, "internet_access_rate"),
    ("中小学校互联网接入率达到", PCT, "internet_access_rate"),
    ("出口带宽100M以上学校比例", PCT, "bandwidth_100m_share"),
    ("多媒体教室覆盖率", PCT, "multimedia_classroom_share"),
    ("数字校园建设达标率", PCT, "digital_campus_rate"),
    ("新建智慧校园", "所", "new_smart_campuses"),
    ("建成智慧校园", "所", "new_smart_campuses"),
    # 学生发展
    ("学生体质健康优良率", PCT, "fitness_good_rate"),
    ("体质健康达标优良率", PCT, "fitness_good_rate"),
    ("中小学生体质健康优良率达到", PCT, "fitness_good_rate"),
    ("國家學生體質健康標準優良率", PCT, "fitness_good_rate"),
    ("国家学生体质健康标准达标率", PCT, "fitness_pass_rate"),
    ("学生体质健康合格率", PCT, "fitness_pass_rate"),
    ("学生体质健康优秀率", PCT, "fitness_excellent_rate"),
    ("儿童青少年总体近视率", PCT, "myopia_rate"),
    ("近视率较上年下降", PTS, "myopia_rate"),
    ("全市儿童青少年近视率比上年降低", PTS, "myopia_rate"),
    ("学生肥胖率", PCT, "obesity_rate"),
    ("中小学生肥胖率控制在", PCT, "obesity_rate"),
    # 终身教育
    ("社区教育覆盖率", PCT, "community_education_coverage"),
    ("乡镇（街道）老年学校覆盖率", PCT, "elderly_school_coverage"),
    ("老年教育参与率", PCT, "elderly_education_participation"),
    ("劳动年龄人口平均受教育年限", "", "labour_force_schooling_years"),
    ("新增劳动力平均受教育年限", "", "new_labour_schooling_years"),
    # more habits: brackets, 的, 规模/人数, stage prefixes, 较某年, abbreviations, traditional script
    ("学前三年毛入园率提高到", PCT, "preschool_gross_enrolment_rate"),
    ("普惠性幼儿园在园幼儿占比（普惠率）", PCT, "inclusive_kindergarten_share"),
    ("公办园在园幼儿占比达", PCT, "public_kindergarten_share"),
    ("高中阶段教育毛入学率（含技工学校）", PCT, "high_school_gross_enrolment_rate"),
    ("中职学校双师型教师占专业课教师的比例", PCT, "dual_qualified_teacher_share"),
    ("“双师型”教师占比", PCT, "dual_qualified_teacher_share"),
    ("56人以上大班额比例", PCT, "compulsory_large_class_share"),
    ("学生体质健康达标率", PCT, "fitness_pass_rate"),
    ("体质健康优良率", PCT, "fitness_good_rate"),
    ("体质健康测试优秀率", PCT, "fitness_excellent_rate"),
    ("儿童青少年总体近视率较2018年下降", PTS, "myopia_rate"),
    ("全县中小学生近视率", PCT, "myopia_rate"),
    ("中小学（含教学点）互联网接入率", PCT, "internet_access_rate"),
    ("特教学校", "所", "special_education_schools"),
    ("送教上门", "人", "home_delivered_education"),
    ("义务教育学校校长教师交流轮岗比例达到", PCT, "teacher_rotation_share"),
    ("专职心理健康教师配备率", PCT, "psych_teacher_coverage"),
    ("中小学骨干教师比例", PCT, "key_teacher_share"),
    ("中小学高级教师比例", PCT, "senior_title_teacher_share"),
    ("义务教育学校生均公用经费", "元", "compulsory_public_funds_per_student"),
    ("改扩建中小学校", "所", "schools_built"),
    ("中职招生人数", "人", "vocational_intake"),
    ("高校在校生规模", "人", "higher_education_enrolment"),
    ("小学生均财政教育支出", "元", "primary_budget_per_student"),
    ("全县教育费附加征收", "万元", "education_surcharge"),
    ("学前教育经费占一般公共预算教育经费的比重", PCT, "preschool_budget_share"),
    ("财政教育支出占比", PCT, "education_budget_share"),
    ("寄宿制学校达标率", PCT, "boarding_school_compliance"),
    ("课后服务覆盖率达", PCT, "after_school_school_coverage"),
    ("幼儿园班额达标比例", PCT, "kindergarten_class_size_compliance"),
    ("每千人口拥有婴幼儿托位", "个", "childcare_places_per_thousand"),
    ("义务教育阶段辍学人数控制在", "人", "compulsory_dropouts"),
    ("小学生师比控制在", "", "primary_pupil_teacher_ratio"),
    ("學生課後服務參與率", PCT, "after_school_participation"),
    ("中等職業學校畢業生就業率", PCT, "vocational_employment_rate"),
    # full-width characters
    ("学前三年毛入园率（全县）", PCT, "preschool_gross_enrolment_rate"),
    ("出口带宽１００Ｍ以上学校比例", "％", "bandwidth_100m_share"),
]

NEGATIVES: list[tuple[str, str, frozenset[str]]] = [
    # (target, unit, codes that are right to take; empty: no library indicator measures it)
    ("校园足球特色学校", "所", frozenset()),
    ("家长学校开办率", PCT, frozenset()),
    ("研学实践基地", "个", frozenset()),
    ("心理健康教育特色学校", "所", frozenset()),
    ("初中学业水平考试合格率", PCT, frozenset()),
    ("普通高中学业水平考试合格率", PCT, frozenset()),
    ("高考本科上线率", PCT, frozenset()),
    ("中小学生视力不良率", PCT, frozenset()),
    ("教师培训经费", "万元", frozenset()),
    ("教师培训经费占公用经费比例", PCT, frozenset()),
    ("学生资助金额", "万元", frozenset()),
    ("资助家庭经济困难学生", "人次", frozenset()),
    ("营养改善计划受益学生", "人", frozenset()),
    ("幼儿园保育员持证率", PCT, frozenset()),
    ("劳动教育实践基地", "个", frozenset()),
    ("省级文明校园", "所", frozenset()),
    ("语言文字规范化示范校", "所", frozenset()),
    ("国家通用语言文字普及率", PCT, frozenset()),
    ("中小学法治副校长配备率", PCT, frozenset()),
    ("学校专职保安配备率", PCT, frozenset()),
    ("中小学校园视频监控覆盖率", PCT, frozenset()),
    ("中职学校双证书获取率", PCT, frozenset()),
    ("高职院校招生", "人", frozenset()),
    ("普通高中招生", "人", frozenset()),
    ("高校毕业生就业率", PCT, frozenset()),
    ("初中毕业生升学率", PCT, frozenset()),
    ("民办幼儿园在园幼儿占比", PCT, frozenset()),
    ("幼儿园专任教师本科以上学历比例", PCT, frozenset()),
    ("普通高中专任教师本科以上学历比例", PCT, frozenset()),
    ("小学专任教师研究生学历比例", PCT, frozenset()),
    ("特殊教育学校在校生", "人", frozenset()),
    ("新增普通高中学位", "个", frozenset()),
    ("乡村学校少年宫", "个", frozenset()),
    ("教育系统信访事项办结率", PCT, frozenset()),
    ("托育机构", "个", frozenset()),
    ("家庭经济困难学生资助覆盖率", PCT, frozenset()),
    ("中小学生艺术素质测评合格率", PCT, frozenset()),
    ("学生体质健康测试数据上报率", PCT, frozenset()),
    ("中职学校专业课教师比例", PCT, frozenset()),
    ("义务教育学校校长职级制改革覆盖率", PCT, frozenset()),
    ("平安校园创建达标率", PCT, frozenset()),
    ("近视防控示范学校", "所", frozenset()),
    ("普通高中多样化特色学校", "所", frozenset()),
    ("市级示范性幼儿园", "所", frozenset()),
    ("省级示范性中职学校", "所", frozenset()),
    ("教育信息化投入", "万元", frozenset()),
    ("教师周转宿舍", "套", frozenset()),
    ("中职学校在校生", "人", frozenset()),
    ("幼儿园在园幼儿", "人", frozenset()),
    ("城区义务教育学校大班额比例", PCT, frozenset()),
    ("普通高中毛入学率", PCT, frozenset()),
    ("中职学校标准化率", PCT, frozenset({"public_vocational_standardization_rate"})),
    ("新建特殊教育学校", "所", frozenset()),
    ("小学入学率", PCT, frozenset({"primary_net_enrolment_rate"})),  # 适龄儿童入学率 is the net one
    ("高校毕业生留本地就业", "人", frozenset()),
    ("中小学班主任培训", "人次", frozenset({"teacher_training"})),
    ("中小学体育教师配备率", PCT, frozenset()),
    ("学前教育专任教师", "人", frozenset()),
    ("教育经费增长", PCT, frozenset()),
    ("特殊教育学校生均公用经费", "元", frozenset()),
    ("普通高中生均公用经费", "元", frozenset()),
    ("中职学校生均拨款", "元", frozenset()),
    ("农村学校生均公用经费", "元", frozenset()),
    ("新增学位", "个", frozenset()),
    ("本科学历教师比例", PCT, frozenset()),
    ("专任教师本科以上学历比例", PCT, frozenset()),
    ("中小学专任教师本科以上学历比例", PCT, frozenset()),
    ("中小学教师学历达标率", PCT, frozenset()),
    ("学生近视筛查覆盖率", PCT, frozenset()),
    ("中小学生体质健康测试覆盖率", PCT, frozenset()),
    ("职业院校专业对口就业率", PCT, frozenset()),
    ("高职院校毕业生就业率", PCT, frozenset()),
    ("民办学校在校生占比", PCT, frozenset()),
    ("义务教育阶段学生辍学率", PCT, frozenset()),
    ("学科类校外培训机构压减率", PCT, frozenset()),
    ("中小学智慧教室", "间", frozenset()),
    ("乡村小规模学校", "所", frozenset()),
    ("教师继续教育学时达标率", PCT, frozenset()),
    ("教育督导评估覆盖率", PCT, frozenset()),
]


def taken(m: Match) -> str | None:
    """The code ``planlib init`` takes for a match (see planlib.init.create), or None."""
    if m.code is None:
        return None
    if m.confidence in ("exact", "likely"):
        return m.code
    if m.confidence == "uncertain" and m.reason == "候选接近" and m.score >= LIKELY:
        return m.code
    return None


@pytest.fixture(scope="module")
def live() -> IndicatorSet:
    return load_indicators(data_dir() / "library" / "indicators.yaml")


def test_the_wordings_cover_the_library(live):
    codes = {c for _, _, c in POSITIVES}
    assert codes <= set(live.codes)
    assert len(POSITIVES) >= 150 and len(codes) >= 60 and len(NEGATIVES) >= 40
    for _, _, right in NEGATIVES:
        assert right <= set(live.codes)


@pytest.mark.parametrize(("name", "unit", "code"), POSITIVES)
def test_positive_is_never_taken_for_another_indicator(live, name, unit, code):
    got = taken(match_target(live, name, unit))
    assert got in (None, code), f"{name} → {got}, not {code}"


@pytest.mark.parametrize(("name", "unit", "right"), NEGATIVES)
def test_negative_is_never_taken_for_a_wrong_indicator(live, name, unit, right):
    m = match_target(live, name, unit)
    got = taken(m)
    assert got is None or got in right, m


def test_recall_and_precision(live):
    hits, wrong, missed = 0, [], []
    for name, unit, code in POSITIVES:
        got = taken(match_target(live, name, unit))
        if got == code:
            hits += 1
        elif got is None:
            missed.append(f"{name}（{code}）")
        else:
            wrong.append(f"{name} → {got}")
    for name, unit, right in NEGATIVES:
        got = taken(match_target(live, name, unit))
        if got is not None and got not in right:
            wrong.append(f"{name} → {got}")
    taken_total = hits + len(wrong)
    recall = hits / len(POSITIVES)
    precision = hits / taken_total if taken_total else 1.0
    print(f"\nrecall {recall:.1%} ({hits}/{len(POSITIVES)}), precision {precision:.1%}")
    print("missed:", "；".join(missed) or "none")
    print("wrong:", "；".join(wrong) or "none")
    assert not wrong
    assert recall >= 0.9
